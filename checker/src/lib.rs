//! `spec check`'s engine: an exhaustive, breadth-first model checker. It asks the
//! interpreter's engine the same questions as the simulator (initial states, successors of a
//! state under an action with the picks that led there, whether an invariant holds), through
//! the enumerating chooser, so every initial state, every element a `oneOf` can pick and
//! every branch of `any` is visited. No second evaluator.
//!
//! The search goes level by level. Each level's states are expanded in parallel (rayon),
//! then the successors are merged into the visited set in a fixed order (the frontier's
//! order, then each state's successors in the engine's order), so the numbers of distinct and
//! generated states, the verdict and the counterexample are the same at any thread count. A
//! violation found at depth `d` is reported after the whole level `d` is merged and is the
//! first in that order: a shortest counterexample, chosen deterministically.
//!
//! States are kept as 64-bit fingerprints (a fixed-seed hash of the state's canonical value,
//! or of the `--view` expression's value) with a link to the parent (`visited.rs`: at most 16 bytes a state); only the
//! frontier holds states, compactly (`level.rs`: rows of indices into tables of each
//! variable's distinct values). Workers drop successors already in the visited set or
//! already handed on in the same chunk, and hash only what a step changed: unchanged
//! variables keep their hash, and a changed set or map is hashed from the elements that
//! differ ([`fingerprint`]). One chunk's successors are merged while the next chunk is
//! expanded; the merge alone inserts into the visited set and decides what is new.
//! An invariant is evaluated once per distinct combination, in a level, of the values of
//! the variables it reads (`reads.rs`), not once per state, and its results are kept
//! from level to level (`memo.rs`). A counterexample is rebuilt
//! from the links by running the spec again from an initial state and choosing, at each
//! step, the successor with the next fingerprint ([`trace`]).

mod fingerprint;
mod level;
mod memo;
mod reads;
mod search;
mod visited;
pub mod trace;

pub use fingerprint::fingerprint;
pub use search::{check, Budget, Model, Outcome, Progress, Stats, Stop, Verdict};
