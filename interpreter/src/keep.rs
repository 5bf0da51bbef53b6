//! Which sampled traces `simulate --n-traces N` keeps: violations first (the shortest of
//! them), then the most diverse of the others. Diversity is measured on *features* of a
//! trace: the distinct states it visits, the transitions it takes (a pair of states) and the
//! actions that fire in it. A new trace's worth is the number of its features that no kept
//! trace has (new coverage); replacing a kept trace loses its features that no other kept
//! trace, nor the new one, has. When the set is full, a new trace replaces the kept one
//! whose replacement loses least, if it gains more than that loses, length breaking ties
//! (longer wins): so a run never ends with just its shortest traces, as keeping the first or the
//! shortest would. Each offer costs O(kept × features), independent of the run's length.

use crate::simulate::Sample;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

/// The bookkeeping beside the kept traces: their features and how many kept traces have
/// each feature.
#[derive(Debug, Default)]
pub struct Diversity {
    /// The features of each kept trace, parallel to the kept list.
    features: Vec<Vec<u64>>,
    /// How many kept traces have each feature.
    counts: HashMap<u64, u32>,
}

/// The distinct features of a sample: its states, transitions and actions, hashed.
pub fn features(sample: &Sample) -> Vec<u64> {
    let mut out = Vec::with_capacity(sample.states.len() * 2 + sample.steps.len());
    let mut previous: Option<u64> = None;
    for state in &sample.states {
        let h = hash(&(0u8, state));
        out.push(h);
        if let Some(p) = previous {
            out.push(hash(&(1u8, p, h)));
        }
        previous = Some(h);
    }
    for step in &sample.steps {
        for action in &step.actions {
            out.push(hash(&(2u8, &**action)));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn hash<T: Hash>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

impl Diversity {
    /// Features of `candidate` that no kept trace has.
    fn gain(&self, candidate: &[u64]) -> usize {
        candidate.iter().filter(|f| !self.counts.contains_key(f)).count()
    }

    /// Features of kept trace `i` that no other kept trace has.
    fn unique(&self, i: usize) -> usize {
        self.features[i].iter().filter(|f| self.counts.get(f) == Some(&1)).count()
    }

    /// What replacing kept trace `i` with `candidate` (sorted) would lose: the features
    /// only trace `i` has, and `candidate` has not.
    fn loss(&self, i: usize, candidate: &[u64]) -> usize {
        self.features[i].iter().filter(|f| self.counts.get(f) == Some(&1) && candidate.binary_search(f).is_err()).count()
    }

    fn add(&mut self, features: Vec<u64>) {
        for f in &features {
            *self.counts.entry(*f).or_insert(0) += 1;
        }
        self.features.push(features);
    }

    fn remove(&mut self, i: usize) {
        let features = self.features.swap_remove(i);
        for f in features {
            if let Some(c) = self.counts.get_mut(&f) {
                *c -= 1;
                if *c == 0 {
                    self.counts.remove(&f);
                }
            }
        }
    }
}

/// Offers `sample` to the kept traces `kept` (at most `keep` of them, with their
/// bookkeeping in `diversity`), then puts them in reporting order: violations by length,
/// then the others by worth (most unique features first), length (longest first) and index.
pub fn offer(kept: &mut Vec<Sample>, diversity: &mut Diversity, sample: Sample, keep: usize) {
    if keep == 0 {
        return;
    }
    // The bookkeeping follows `kept`; rebuild it if someone else changed the list.
    if diversity.features.len() != kept.len() {
        *diversity = Diversity::default();
        for s in kept.iter() {
            diversity.add(features(s));
        }
    }
    let candidate = features(&sample);
    if kept.len() < keep {
        kept.push(sample);
        diversity.add(candidate);
    } else if let Some(victim) = victim(kept, diversity, &sample, &candidate) {
        kept.swap_remove(victim);
        diversity.remove(victim);
        kept.push(sample);
        diversity.add(candidate);
    }
    order(kept, diversity);
}

/// The kept trace that `sample` should replace, if any.
fn victim(kept: &[Sample], diversity: &Diversity, sample: &Sample, candidate: &[u64]) -> Option<usize> {
    let others: Vec<usize> = (0..kept.len()).filter(|&i| !kept[i].is_violation()).collect();
    if sample.is_violation() {
        // A violation displaces the least worthy other trace, or else a longer violation.
        if let Some(i) = others.iter().copied().min_by_key(|&i| (diversity.loss(i, candidate), kept[i].states.len(), std::cmp::Reverse(kept[i].index))) {
            return Some(i);
        }
        let longest = (0..kept.len()).max_by_key(|&i| (kept[i].states.len(), kept[i].index))?;
        return ((sample.states.len(), sample.index) < (kept[longest].states.len(), kept[longest].index)).then_some(longest);
    }
    let weakest = others.iter().copied().min_by_key(|&i| (diversity.loss(i, candidate), kept[i].states.len(), std::cmp::Reverse(kept[i].index)))?;
    let worth = (diversity.gain(candidate), sample.states.len());
    (worth > (diversity.loss(weakest, candidate), kept[weakest].states.len())).then_some(weakest)
}

/// Violations first (shortest first), then by worth, length and index.
fn order(kept: &mut Vec<Sample>, diversity: &mut Diversity) {
    let mut keys: Vec<(usize, (u8, usize, usize, u64))> = (0..kept.len())
        .map(|i| {
            let s = &kept[i];
            let key = if s.is_violation() {
                (0, s.states.len(), 0, s.index)
            } else {
                (1, usize::MAX - diversity.unique(i), usize::MAX - s.states.len(), s.index)
            };
            (i, key)
        })
        .collect();
    keys.sort_by_key(|k| k.1);
    let mut samples: Vec<Option<Sample>> = std::mem::take(kept).into_iter().map(Some).collect();
    let mut features: Vec<Option<Vec<u64>>> = std::mem::take(&mut diversity.features).into_iter().map(Some).collect();
    for (i, _) in keys {
        if let (Some(s), Some(f)) = (samples[i].take(), features[i].take()) {
            kept.push(s);
            diversity.features.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Step, Value};
    use std::sync::Arc;

    /// A sample visiting the integer states `xs`, each step taking `action`.
    fn sample(index: u64, xs: &[i64], action: &str, violated: bool) -> Sample {
        Sample {
            index,
            seed: index,
            states: xs.iter().map(|x| Arc::new(vec![Value::int(*x)])).collect(),
            steps: xs.iter().map(|_| Step { actions: vec![Arc::from(action)], picks: Vec::new() }).collect(),
            violated: if violated { vec!["inv".into()] } else { Vec::new() },
            deadlocked: false,
            error: None,
            witnessed: Vec::new(),
        }
    }

    fn keep_all(samples: Vec<Sample>, keep: usize) -> Vec<u64> {
        let mut kept = Vec::new();
        let mut d = Diversity::default();
        for s in samples {
            offer(&mut kept, &mut d, s, keep);
        }
        kept.iter().map(|s| s.index).collect()
    }

    #[test]
    fn short_repetitive_traces_do_not_crowd_out_diverse_ones() {
        // Many short traces over the same two states, then two long ones exploring new states.
        let mut samples: Vec<Sample> = (0..10).map(|i| sample(i, &[0, 1], "a", false)).collect();
        samples.push(sample(10, &[0, 1, 2, 3, 4, 5], "b", false));
        samples.push(sample(11, &[0, 10, 11, 12], "c", false));
        let kept = keep_all(samples, 3);
        assert_eq!(kept.len(), 3);
        assert_eq!(kept[0], 10, "the trace with most unique coverage comes first: {kept:?}");
        assert!(kept.contains(&11), "{kept:?}");
        assert_eq!(kept.iter().filter(|&&i| i < 10).count(), 1, "one short trace is enough: {kept:?}");
    }

    #[test]
    fn violations_come_first_and_are_never_displaced_by_other_traces() {
        let samples = vec![
            sample(0, &[0, 1, 2, 3], "a", false),
            sample(1, &[0, 7, 8], "v", true),
            sample(2, &[0, 20, 21, 22, 23, 24], "b", false),
            sample(3, &[0, 30, 31, 32, 33, 34, 35], "c", false),
        ];
        let kept = keep_all(samples, 2);
        assert_eq!(kept, vec![1, 3]);
    }

    #[test]
    fn shorter_violations_replace_longer_ones_when_only_violations_are_kept() {
        let samples = vec![sample(0, &[0, 1, 2, 3], "v", true), sample(1, &[0, 5, 6], "v", true), sample(2, &[0, 9], "v", true)];
        assert_eq!(keep_all(samples, 2), vec![2, 1]);
    }

    #[test]
    fn when_nothing_is_new_the_longer_trace_wins() {
        let samples = vec![sample(0, &[0, 1], "a", false), sample(1, &[0, 1, 0, 1, 0], "a", false)];
        // The second trace adds the transition 1 -> 0: new coverage.
        assert_eq!(keep_all(samples.clone(), 1), vec![1]);
        // Offered the other way round, the short one brings nothing new and is shorter.
        let reversed = vec![samples[1].clone(), samples[0].clone()];
        assert_eq!(keep_all(reversed, 1), vec![1]);
    }

    #[test]
    fn keeping_nothing_keeps_nothing() {
        assert!(keep_all(vec![sample(0, &[0], "a", true)], 0).is_empty());
    }
}
