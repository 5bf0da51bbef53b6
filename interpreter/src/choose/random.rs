//! The seeded random chooser (simulation, `run` tests, the REPL): the same seed gives the
//! same choices. It follows Quint's simulator: a pick is uniform; when the body of a
//! `nondet` is disabled, the other elements are tried in random order if the set is small
//! ([`RETRY_BELOW`], Quint's `QUINT_RETRY_NONDET_SMALLER_THAN`), otherwise the first pick
//! stands; `any` tries all its branches in random order.

use super::{Choice, ChoiceError, Chooser, Site, Tries};
use num_bigint::BigInt;
use num_traits::Zero;
use rand::RngExt;

/// Sets whose every component (a tuple's sets, a map's values, or the set itself) has fewer
/// elements than this are retried: Quint's default threshold.
pub const RETRY_BELOW: u64 = 100;

/// Beyond Quint: a set with more elements than this is never retried, whatever its
/// components, so that a disabled action cannot cost millions of evaluations per step.
pub const RETRY_MAX_TRIES: u64 = 1_000_000;

pub struct RandomChooser {
    rng: rand_chacha::ChaCha8Rng,
    retry_below: u64,
}

impl RandomChooser {
    pub fn new(seed: u64) -> RandomChooser {
        use rand::SeedableRng;
        RandomChooser { rng: rand_chacha::ChaCha8Rng::seed_from_u64(seed), retry_below: RETRY_BELOW }
    }

    /// Retries picks from sets whose components all have fewer than `threshold` elements
    /// (0: never retry a pick; `any` still tries every branch).
    pub fn with_retry_threshold(mut self, threshold: u64) -> RandomChooser {
        self.retry_below = threshold;
        self
    }
}

impl Chooser for RandomChooser {
    fn choose(&mut self, choice: &Choice) -> Result<Tries, ChoiceError> {
        let rng = &mut self.rng;
        let mut below = |n: u64| rng.random_range(0..n);
        Ok(match choice.site {
            Site::Pick { name: Some(_), set } if choice.size <= RETRY_MAX_TRIES && set.components_below(self.retry_below) => {
                Tries::shuffled(choice.size, &mut below)
            }
            Site::Branch { .. } => Tries::shuffled(choice.size, &mut below),
            Site::Pick { .. } | Site::Number => Tries::once(below(choice.size)),
        })
    }

    fn retry(&mut self, _choice: &Choice, tries: &mut Tries) -> bool {
        let rng = &mut self.rng;
        tries.advance(&mut |n| rng.random_range(0..n))
    }

    fn choose_big(&mut self, _choice: &Choice, size: &BigInt) -> Result<BigInt, ChoiceError> {
        // Enough random bits for a negligible bias, reduced modulo the size.
        let bits = size.bits() + 64;
        let mut n = BigInt::zero();
        let mut got = 0;
        while got < bits {
            n = (n << 64) + BigInt::from(self.rng.random::<u64>());
            got += 64;
        }
        Ok(n % size)
    }
}
