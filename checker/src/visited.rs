//! The visited set: every distinct state's fingerprint and a link to its parent, in at most
//! 16 bytes a state (issue 11's memory bound), where a general hash map of fingerprint to
//! parent fingerprint took about 30 after a doubling.
//!
//! Two arrays indexed by slot, in one allocation: the fingerprints (8 bytes, 0 marks an empty
//! slot) and the slot of each state's parent (4 bytes, [`NO_PARENT`] for an initial state).
//! The table is allocated from the system allocator, not the process's (mimalloc, which keeps
//! freed pages: growing by 1/8 leaves a trail of freed tables, up to 8 times the last one, and
//! with mimalloc they stayed resident: 2PC-7's peak RSS rose by 4.5 MB). glibc maps a table
//! this large on its own and unmaps it when it is freed; one allocation for both arrays keeps
//! it above glibc's (rising) mmap threshold.
//! Open addressing with linear probing and no displacement: a state stays in its slot until
//! the table grows, so a slot names it. The table is filled up to 7/8 and then grows by 1/8
//! (not 2x), so it is always more than 7/9 full once past its first few hundred states:
//! 12 bytes a slot make at most 15.5 bytes a state. The search may grow it a little earlier,
//! before a chunk's merge, only while that keeps 16 bytes a state ([`Visited::grow_before`]).
//! Growing inserts the fingerprints again, noting each state's new slot, and then maps each
//! parent link through those notes.
//!
//! Slots are `u32`, so the table holds at most [`MAX_SLOTS`] slots, and the search stops with
//! [`Full`] (naming the limit) rather than wrap a link around.
//!
//! A slot's place is `fingerprint * slots >> 64` (fingerprints are uniform already). The
//! insertion order is the search's fixed merge order, so slots, and everything read from them,
//! are the same at any thread count. Workers read the table (in parallel) while a level
//! is expanded, and the merge of one chunk's successors inserts while the next chunk is
//! expanded: through a shared reference, with atomic loads and stores of whole words
//! ([`Visited::insert_shared`]), into room made beforehand. A worker that reads a slot as it
//! is written sees the fingerprint or an empty slot: either way it only decides whether to
//! hand a successor on to the merge, which looks it up again. Growing needs the table alone
//! (`&mut`): the merge stops where the table is full ([`Room::Needed`]) and goes on once the
//! workers are done and the table has grown.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// The parent link of an initial state.
const NO_PARENT: u32 = u32::MAX;

/// The most slots: slot numbers are `u32`, and `u32::MAX` is [`NO_PARENT`].
pub(crate) const MAX_SLOTS: usize = u32::MAX as usize;

/// The slots of a new table.
const INITIAL_SLOTS: usize = 256;

/// The table is full at `slots * FILL_NUMERATOR / FILL_DENOMINATOR` states.
const FILL_NUMERATOR: usize = 7;
const FILL_DENOMINATOR: usize = 8;

/// The visited set is full: it holds `limit` states, the most its 32-bit parent links allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Full {
    pub limit: u64,
}

/// Why [`Visited::insert_shared`] could not insert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Room {
    /// The table must grow first ([`Visited::grow`], which needs it alone).
    Needed,
    /// The table cannot grow any more.
    Full(Full),
}

pub(crate) struct Visited {
    /// A fingerprint per slot (0 for an empty one), then per slot the slot of the parent of
    /// the state there, two to a word.
    words: Words,
    slots: usize,
    len: AtomicUsize,
    /// The most slots this table may take (a parameter so that tests can reach it).
    max_slots: usize,
}

impl Default for Visited {
    fn default() -> Visited {
        Visited::with_max_slots(MAX_SLOTS)
    }
}

/// The key a fingerprint is kept under: 0 marks an empty slot, so a fingerprint of 0 is kept
/// as 1 (the checker's fingerprints are never 0 anyway: see `fingerprint::combine`).
fn key(fingerprint: u64) -> u64 {
    fingerprint.max(1)
}

impl Visited {
    pub(crate) fn with_max_slots(max_slots: usize) -> Visited {
        let max_slots = max_slots.clamp(1, MAX_SLOTS);
        let slots = INITIAL_SLOTS.min(max_slots);
        Visited { words: table(slots), slots, len: AtomicUsize::new(0), max_slots }
    }

    /// The number of states.
    pub(crate) fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed)
    }

    /// The bytes the table has allocated.
    pub(crate) fn allocated_bytes(&self) -> usize {
        self.words.len * std::mem::size_of::<u64>()
    }

    pub(crate) fn contains(&self, fingerprint: u64) -> bool {
        self.slot_of(fingerprint).is_some()
    }

    /// The slot of `fingerprint`, if the table has it.
    fn slot_of(&self, fingerprint: u64) -> Option<usize> {
        let key = key(fingerprint);
        let (slots, fingerprints) = (self.slots, self.fingerprints());
        let mut slot = home(key, slots);
        loop {
            match fingerprints[slot].load(Ordering::Relaxed) {
                0 => return None,
                k if k == key => return Some(slot),
                _ => slot = if slot + 1 == slots { 0 } else { slot + 1 },
            }
        }
    }

    /// The fingerprints' words, read and written atomically (see the module documentation).
    fn fingerprints(&self) -> &[AtomicU64] {
        &self.words.atomic()[..self.slots]
    }

    fn parent(&self, slot: usize) -> u32 {
        (self.words.atomic()[self.slots + slot / 2].load(Ordering::Relaxed) >> (32 * (slot % 2))) as u32
    }

    /// Only the merge writes links (one thread), and workers never read them.
    fn set_parent(&self, slot: usize, parent: u32) {
        let word = &self.words.atomic()[self.slots + slot / 2];
        let shift = 32 * (slot % 2);
        let old = word.load(Ordering::Relaxed);
        word.store((old & !(u64::from(u32::MAX) << shift)) | (u64::from(parent) << shift), Ordering::Relaxed);
    }

    /// The empty slot where `key` (not in the table) goes.
    fn free_slot(fingerprints: &[AtomicU64], key: u64) -> usize {
        let slots = fingerprints.len();
        let mut slot = home(key, slots);
        while fingerprints[slot].load(Ordering::Relaxed) != 0 {
            slot = if slot + 1 == slots { 0 } else { slot + 1 };
        }
        slot
    }

    /// Adds `fingerprint` with its parent's fingerprint (`None` for an initial state; the
    /// parent must be in the table), growing the table when it must. `Ok(false)` when it was
    /// there already. (The search inserts with [`Visited::insert_shared`] and grows itself.)
    #[cfg(test)]
    pub(crate) fn insert(&mut self, fingerprint: u64, parent: Option<u64>) -> Result<bool, Full> {
        loop {
            match self.insert_shared(fingerprint, parent) {
                Ok(added) => return Ok(added),
                Err(Room::Needed) => self.grow()?,
                Err(Room::Full(full)) => return Err(full),
            }
        }
    }

    /// [`Visited::insert`] through a shared reference, while workers read the table: when
    /// the table has no room left it says so instead of growing. Only one thread may insert
    /// at a time (the merge).
    pub(crate) fn insert_shared(&self, fingerprint: u64, parent: Option<u64>) -> Result<bool, Room> {
        if self.contains(fingerprint) {
            return Ok(false);
        }
        let len = self.len();
        if len + 1 > fill_limit(self.slots) {
            return Err(if fill_limit(self.max_slots) <= len { Room::Full(self.full()) } else { Room::Needed });
        }
        let parent = match parent.and_then(|p| self.slot_of(p)) {
            Some(slot) => slot as u32,
            None => NO_PARENT,
        };
        let key = key(fingerprint);
        let slot = Visited::free_slot(self.fingerprints(), key);
        self.set_parent(slot, parent);
        self.fingerprints()[slot].store(key, Ordering::Relaxed);
        self.len.store(len + 1, Ordering::Relaxed);
        Ok(true)
    }

    fn full(&self) -> Full {
        Full { limit: fill_limit(self.max_slots) as u64 }
    }

    /// Grows now if `coming` more states would fill the table and the grown table still
    /// takes at most 16 bytes a state of those there now: the search calls it before a
    /// chunk's merge, so that the merge, which runs beside the next chunk's expansion, need
    /// not stop for room (growing needs the table alone). Whether it grew; a table that
    /// cannot grow is left for the merge to report full, if it fills.
    pub(crate) fn grow_before(&mut self, coming: usize) -> bool {
        let len = self.len();
        let wanted = (self.slots + self.slots / 8 + 16).min(self.max_slots);
        let bytes = (wanted + wanted.div_ceil(2)) * std::mem::size_of::<u64>();
        if len + coming <= fill_limit(self.slots) || bytes > 16 * len || fill_limit(wanted) <= len {
            return false;
        }
        self.grow().is_ok()
    }

    /// Makes room for at least one more state: 1/8 more slots.
    pub(crate) fn grow(&mut self) -> Result<(), Full> {
        let slots = self.slots;
        let len = self.len();
        let wanted = (slots + slots / 8 + 16).min(self.max_slots);
        if fill_limit(wanted) <= len {
            return Err(self.full());
        }
        let grown = Visited { words: table(wanted), slots: wanted, len: AtomicUsize::new(len), max_slots: self.max_slots };
        // Each state's new slot, by old slot (4 bytes an old slot, for the time of the growth),
        // so that links are mapped without looking fingerprints up again.
        let mut moved = vec![NO_PARENT; slots];
        let key_at = |slot: usize| self.fingerprints()[slot].load(Ordering::Relaxed);
        for (slot, key) in (0..slots).map(|slot| (slot, key_at(slot))).filter(|&(_, k)| k != 0) {
            let new = Visited::free_slot(grown.fingerprints(), key);
            grown.fingerprints()[new].store(key, Ordering::Relaxed);
            moved[slot] = new as u32;
        }
        for (slot, &new) in moved.iter().enumerate().filter(|(_, &new)| new != NO_PARENT) {
            match self.parent(slot) {
                NO_PARENT => {}
                parent => grown.set_parent(new as usize, moved[parent as usize]),
            }
        }
        *self = grown;
        Ok(())
    }

    /// The fingerprints from an initial state to `fingerprint` (which must be in the table;
    /// else just it).
    pub(crate) fn path_to(&self, fingerprint: u64) -> Vec<u64> {
        let mut path = vec![fingerprint];
        let Some(mut slot) = self.slot_of(fingerprint) else { return path };
        // A chain of links is never longer than the number of states.
        while self.parent(slot) != NO_PARENT && path.len() <= self.len() {
            slot = self.parent(slot) as usize;
            path.push(self.fingerprints()[slot].load(Ordering::Relaxed));
        }
        path.reverse();
        path
    }
}

/// An empty table of `slots` slots: no fingerprints, no parents. Exactly the words it needs.
fn table(slots: usize) -> Words {
    let words = Words::zeroed(slots + slots.div_ceil(2));
    words.atomic()[slots..].iter().for_each(|w| w.store(u64::MAX, Ordering::Relaxed));
    words
}

/// A zeroed array of words from the system allocator (see the module documentation).
struct Words {
    start: std::ptr::NonNull<u64>,
    len: usize,
}

// SAFETY: `Words` owns its words alone, as a `Vec<u64>` does.
unsafe impl Send for Words {}
// SAFETY: shared access goes through atomics ([`Words::atomic`]); plain access needs `&mut`.
unsafe impl Sync for Words {}

impl Words {
    fn layout(len: usize) -> std::alloc::Layout {
        // At most 1.5 * `MAX_SLOTS` words: far below `isize::MAX` bytes on a 64-bit machine.
        std::alloc::Layout::array::<u64>(len.max(1)).unwrap_or_else(|_| std::alloc::handle_alloc_error(std::alloc::Layout::new::<u64>()))
    }

    fn zeroed(len: usize) -> Words {
        use std::alloc::GlobalAlloc;
        let layout = Words::layout(len);
        // SAFETY: the layout's size is not zero (at least one word).
        let start = unsafe { std::alloc::System.alloc_zeroed(layout) } as *mut u64;
        match std::ptr::NonNull::new(start) {
            Some(start) => Words { start, len },
            None => std::alloc::handle_alloc_error(layout),
        }
    }
}

impl Words {
    /// The words, for access through a shared reference (another thread may write them).
    fn atomic(&self) -> &[AtomicU64] {
        // SAFETY: `start` holds `len` zero-initialised (then written) words, owned by `self`;
        // `AtomicU64` has the size and alignment of `u64`, and every access through a shared
        // reference is atomic.
        unsafe { std::slice::from_raw_parts(self.start.as_ptr() as *const AtomicU64, self.len) }
    }
}

impl Drop for Words {
    fn drop(&mut self) {
        use std::alloc::GlobalAlloc;
        // SAFETY: allocated by `System` with this very layout.
        unsafe { std::alloc::System.dealloc(self.start.as_ptr() as *mut u8, Words::layout(self.len)) }
    }
}

/// The first slot to look at for `key` among `slots`.
fn home(key: u64, slots: usize) -> usize {
    ((key as u128 * slots as u128) >> 64) as usize
}

/// How many states `slots` slots take.
fn fill_limit(slots: usize) -> usize {
    slots / FILL_DENOMINATOR * FILL_NUMERATOR + slots % FILL_DENOMINATOR * FILL_NUMERATOR / FILL_DENOMINATOR
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distinct, well-spread fingerprints (never 0).
    fn fingerprints(n: usize) -> impl Iterator<Item = u64> {
        (1..=n as u64).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    #[test]
    fn at_most_16_bytes_a_state_at_any_size_even_right_after_growing() {
        let mut visited = Visited::default();
        let mut parent = None;
        let mut grew_at = Vec::new();
        let mut slots = visited.slots;
        for (i, fp) in fingerprints(300_000).enumerate() {
            assert_eq!(visited.insert(fp, parent), Ok(true));
            parent = Some(fp);
            if visited.slots != slots {
                slots = visited.slots;
                grew_at.push(i + 1);
            }
            let n = visited.len();
            // Past the first few hundred states (the initial table's), every size counts.
            if n >= 1_000 {
                let per_state = visited.allocated_bytes() as f64 / n as f64;
                assert!(per_state <= 16.0, "{per_state:.2} bytes a state at {n} states");
            }
        }
        assert!(grew_at.len() > 20, "the test should see many growths: {grew_at:?}");
        let last = *grew_at.last().unwrap();
        let right_after = visited.allocated_bytes() as f64 / last as f64;
        assert!(right_after <= 16.0 && right_after > 12.0, "{right_after:.2} bytes a state right after growing at {last}");
        // Every fingerprint is still there and the links survived every growth.
        assert!(fingerprints(300_000).all(|fp| visited.contains(fp)));
        assert!(!visited.contains(2), "an even fingerprint was never inserted");
        let path = visited.path_to(fingerprints(300_000).last().unwrap());
        assert_eq!(path, fingerprints(300_000).collect::<Vec<_>>());
    }

    #[test]
    fn paths_follow_parents_through_growth_and_duplicates_are_refused() {
        let mut visited = Visited::default();
        // A binary tree: state i's parent is state i / 2 (1-based).
        let fps: Vec<u64> = fingerprints(5_000).collect();
        for (i, &fp) in fps.iter().enumerate() {
            let parent = (i > 0).then(|| fps[(i + 1) / 2 - 1]);
            assert_eq!(visited.insert(fp, parent), Ok(true));
        }
        assert_eq!(visited.insert(fps[17], None), Ok(false), "a duplicate is not added again");
        assert_eq!(visited.len(), 5_000);
        let path = visited.path_to(fps[4_999]);
        // 5000 -> 2500 -> 1250 -> 625 -> 312 -> 156 -> 78 -> 39 -> 19 -> 9 -> 4 -> 2 -> 1
        let expected: Vec<u64> = [1, 2, 4, 9, 19, 39, 78, 156, 312, 625, 1250, 2500, 5000].iter().map(|&n| fps[n - 1]).collect();
        assert_eq!(path, expected);
        assert_eq!(visited.path_to(fps[0]), vec![fps[0]]);
    }

    #[test]
    fn a_shared_insert_asks_for_room_instead_of_growing() {
        let mut visited = Visited::default();
        let fps: Vec<u64> = fingerprints(1_000).collect();
        let mut asked = 0;
        for (i, &fp) in fps.iter().enumerate() {
            let parent = (i > 0).then(|| fps[i - 1]);
            loop {
                match visited.insert_shared(fp, parent) {
                    Ok(added) => {
                        assert!(added);
                        break;
                    }
                    Err(Room::Needed) => {
                        let slots = visited.slots;
                        assert_eq!(visited.len(), fill_limit(slots), "room is asked for only when the table is full");
                        visited.grow().expect("room to grow");
                        asked += 1;
                    }
                    Err(Room::Full(_)) => panic!("far from the limit"),
                }
            }
        }
        assert!(asked > 5, "{asked}");
        assert_eq!(visited.path_to(fps[999]), fps);
        let mut small = Visited::with_max_slots(100);
        let full = fingerprints(200).map(|fp| small.insert(fp, None)).find_map(Result::err);
        assert_eq!(full, Some(Full { limit: 87 }));
        assert_eq!(small.insert_shared(3, None), Err(Room::Full(Full { limit: 87 })));
    }

    #[test]
    fn growing_early_keeps_16_bytes_a_state_and_only_when_room_will_be_needed() {
        let mut visited = Visited::default();
        let fps: Vec<u64> = fingerprints(100_000).collect();
        let mut early = 0;
        for chunk in fps.chunks(700) {
            if visited.grow_before(chunk.len()) {
                early += 1;
                assert!(visited.allocated_bytes() <= 16 * visited.len(), "{} bytes for {} states", visited.allocated_bytes(), visited.len());
            }
            for &fp in chunk {
                assert_eq!(visited.insert(fp, None), Ok(true));
            }
        }
        assert!(early > 3, "{early}");
        // No growth when the coming states fit, nor when growing now would break the bound.
        let slots = visited.slots;
        assert!(!visited.grow_before(0));
        assert!(!visited.grow_before(fill_limit(slots) - visited.len()));
        let mut small = Visited::default();
        small.insert(1, None).unwrap();
        assert!(!small.grow_before(10_000), "one state cannot pay for a larger table");
        assert!(fps.iter().all(|&fp| visited.contains(fp)));
    }

    #[test]
    fn readers_during_shared_inserts_see_only_states_inserted() {
        // One thread inserts (into room made beforehand) while another reads: the reader never
        // sees a fingerprint that was not inserted, and a fingerprint it has seen stays.
        let mut visited = Visited::default();
        while fill_limit(visited.slots) < 20_000 {
            visited.grow().expect("room");
        }
        let slots = visited.slots;
        let inserted: Vec<u64> = fingerprints(40_000).step_by(2).take(20_000).collect();
        let never: Vec<u64> = fingerprints(40_000).skip(1).step_by(2).collect();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                for &fp in &inserted {
                    assert_eq!(visited.insert_shared(fp, None), Ok(true));
                }
            });
            scope.spawn(|| {
                let mut seen = vec![false; inserted.len()];
                for _ in 0..20 {
                    for (i, &fp) in inserted.iter().enumerate() {
                        let now = visited.contains(fp);
                        assert!(now || !seen[i], "a fingerprint seen went away");
                        seen[i] = now;
                    }
                    assert!(never.iter().all(|&fp| !visited.contains(fp)));
                }
            });
        });
        assert_eq!(visited.slots, slots, "the table did not grow");
        assert!(inserted.iter().all(|&fp| visited.contains(fp)));
        assert_eq!(visited.len(), 20_000);
    }

    #[test]
    fn a_fingerprint_of_zero_is_kept() {
        let mut visited = Visited::default();
        assert_eq!(visited.insert(0, None), Ok(true));
        assert!(visited.contains(0));
        assert_eq!(visited.len(), 1);
    }

    #[test]
    fn a_full_table_says_so_and_names_its_limit() {
        let mut visited = Visited::with_max_slots(1_000);
        let mut inserted = 0;
        let full = loop {
            match visited.insert(fingerprints(2_000).nth(inserted).unwrap(), None) {
                Ok(true) => inserted += 1,
                Ok(false) => panic!("distinct fingerprints"),
                Err(full) => break full,
            }
        };
        assert_eq!(full, Full { limit: 875 });
        assert_eq!(inserted, 875);
        assert_eq!(visited.len(), 875, "nothing was lost or added");
        assert!(fingerprints(875).all(|fp| visited.contains(fp)));
    }
}
