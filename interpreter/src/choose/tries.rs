//! The plan of a retried choice: which alternative to try now and which ones after it. A
//! random order is drawn lazily (a sparse Fisher–Yates shuffle): the first alternative costs
//! one random number like a plain pick, each retry one more, and nothing is built for the
//! alternatives never tried, so a large set costs only the tries actually made.

use smallvec::SmallVec;
use std::collections::HashMap;

/// Which alternative to try now, and how to move to the next.
#[derive(Clone, Debug)]
pub struct Tries {
    /// The alternative to try now.
    pub current: u64,
    plan: Plan,
}

#[derive(Clone, Debug)]
enum Plan {
    /// No other alternative.
    Once,
    /// These, last first.
    Listed(Vec<u64>),
    /// A uniformly random order of `0..size`, drawn as it goes.
    Shuffled(Shuffle),
    /// Alternatives remain, and the chooser that made the plan keeps track of them itself:
    /// the plan only carries a number for it (see [`Tries::marked`]); `advance` gives none.
    Marked(u64),
}

/// Positions `0..tried` of a virtual permutation of `0..size` are settled; `moved` records the
/// positions at or past `tried` whose value is not their own index.
#[derive(Clone, Debug)]
struct Shuffle {
    size: u64,
    tried: u64,
    moved: Moved,
}

#[derive(Clone, Debug)]
enum Moved {
    Few(SmallVec<[(u64, u64); 8]>),
    Many(HashMap<u64, u64>),
}

impl Moved {
    fn get(&self, pos: u64) -> u64 {
        match self {
            Moved::Few(v) => v.iter().find(|(p, _)| *p == pos).map_or(pos, |(_, x)| *x),
            Moved::Many(m) => m.get(&pos).copied().unwrap_or(pos),
        }
    }

    fn set(&mut self, pos: u64, value: u64) {
        match self {
            Moved::Few(v) => match v.iter().position(|(p, _)| *p == pos) {
                Some(k) => v[k].1 = value,
                None if v.len() < 32 => v.push((pos, value)),
                None => {
                    let mut m: HashMap<u64, u64> = v.drain(..).collect();
                    m.insert(pos, value);
                    *self = Moved::Many(m);
                }
            },
            Moved::Many(m) => {
                m.insert(pos, value);
            }
        }
    }

    fn forget(&mut self, pos: u64) {
        match self {
            Moved::Few(v) => v.retain(|(p, _)| *p != pos),
            Moved::Many(m) => {
                m.remove(&pos);
            }
        }
    }
}

impl Shuffle {
    /// Settles the next position with a value drawn uniformly from the unsettled ones.
    fn draw(&mut self, below: &mut dyn FnMut(u64) -> u64) -> Option<u64> {
        if self.tried >= self.size {
            return None;
        }
        let t = self.tried;
        let j = t + below(self.size - t).min(self.size - t - 1);
        let picked = self.moved.get(j);
        if j != t {
            let displaced = self.moved.get(t);
            self.moved.set(j, displaced);
        }
        self.moved.forget(t);
        self.tried += 1;
        Some(picked)
    }
}

impl Tries {
    /// Just `i`.
    pub fn once(i: u64) -> Tries {
        Tries { current: i, plan: Plan::Once }
    }

    /// The given alternatives, in order (at least one).
    pub fn listed(order: impl IntoIterator<Item = u64>) -> Tries {
        let mut rest: Vec<u64> = order.into_iter().collect();
        rest.reverse();
        let current = rest.pop().unwrap_or(0);
        Tries { current, plan: Plan::Listed(rest) }
    }

    /// Every alternative of `0..size` (`size` ≥ 1) in a uniformly random order;
    /// `below(n)` is a random number below `n`.
    /// Alternative `current` first; the others are for the chooser to give on a retry,
    /// which it recognizes by `mark` (an enumerator's position in its path). Nothing is
    /// allocated.
    pub fn marked(current: u64, mark: u64) -> Tries {
        Tries { current, plan: Plan::Marked(mark) }
    }

    /// Moves a plan made by [`Tries::marked`] on to alternative `next` in place (the
    /// chooser's own retry), marked still when `more` alternatives follow it.
    #[inline]
    pub fn remark(&mut self, next: u64, more: bool) {
        self.current = next;
        if !more && matches!(self.plan, Plan::Marked(_)) {
            self.plan = Plan::Once;
        }
    }

    /// The mark of a plan made by [`Tries::marked`].
    pub fn mark(&self) -> Option<u64> {
        match self.plan {
            Plan::Marked(mark) => Some(mark),
            _ => None,
        }
    }

    pub fn shuffled(size: u64, below: &mut dyn FnMut(u64) -> u64) -> Tries {
        let mut shuffle = Shuffle { size: size.max(1), tried: 0, moved: Moved::Few(SmallVec::new()) };
        let current = shuffle.draw(below).unwrap_or(0);
        Tries { current, plan: Plan::Shuffled(shuffle) }
    }

    /// Whether another alternative may follow this one.
    pub fn may_retry(&self) -> bool {
        match &self.plan {
            Plan::Once => false,
            Plan::Listed(rest) => !rest.is_empty(),
            Plan::Shuffled(s) => s.tried < s.size,
            Plan::Marked(_) => true,
        }
    }

    /// Moves to the next alternative; `false` when every one has been tried.
    pub fn advance(&mut self, below: &mut dyn FnMut(u64) -> u64) -> bool {
        let next = match &mut self.plan {
            Plan::Once => None,
            Plan::Listed(rest) => rest.pop(),
            Plan::Shuffled(s) => s.draw(below),
            Plan::Marked(_) => None,
        };
        match next {
            Some(i) => {
                self.current = i;
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    fn all(mut tries: Tries, rng: &mut rand_chacha::ChaCha8Rng) -> Vec<u64> {
        let mut out = vec![tries.current];
        while tries.advance(&mut |n| rng.random_range(0..n)) {
            out.push(tries.current);
        }
        out
    }

    #[test]
    fn a_shuffle_visits_every_alternative_once() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for size in [1u64, 2, 5, 40, 300] {
            let tries = Tries::shuffled(size, &mut |n| rng.random_range(0..n));
            let mut order = all(tries, &mut rng);
            order.sort();
            assert_eq!(order, (0..size).collect::<Vec<_>>());
        }
    }

    #[test]
    fn every_alternative_comes_first_about_equally_often() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut firsts = [0u32; 4];
        let mut seconds = [0u32; 4];
        for _ in 0..8000 {
            let mut t = Tries::shuffled(4, &mut |n| rng.random_range(0..n));
            firsts[t.current as usize] += 1;
            t.advance(&mut |n| rng.random_range(0..n));
            seconds[t.current as usize] += 1;
        }
        assert!(firsts.iter().chain(&seconds).all(|c| (1700..2300).contains(c)), "{firsts:?} {seconds:?}");
    }

    #[test]
    fn listed_and_once_plans() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        assert_eq!(all(Tries::listed([2, 0, 1]), &mut rng), vec![2, 0, 1]);
        assert_eq!(all(Tries::once(3), &mut rng), vec![3]);
        assert!(!Tries::once(3).may_retry());
        let marked = Tries::marked(1, 4);
        assert!(marked.may_retry());
        assert_eq!((marked.current, marked.mark()), (1, Some(4)));
        assert_eq!(all(marked, &mut rng), vec![1], "the chooser gives the others itself");
        let mut moved = Tries::marked(1, 4);
        moved.remark(2, true);
        assert_eq!((moved.current, moved.mark(), moved.may_retry()), (2, Some(4), true));
        moved.remark(3, false);
        assert_eq!((moved.current, moved.mark(), moved.may_retry()), (3, None, false));
        assert_eq!(Tries::listed([1, 4]).mark(), None);
    }
}
