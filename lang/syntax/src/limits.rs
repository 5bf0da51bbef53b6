//! Resource budgets, as data: how deep a definition may nest, how many bits an integer may
//! have, how many elements a set may be expanded into. Every stage reads the one process-wide
//! [`Limits`] (defaults below; raise them with [`Limits::install`], e.g. from a command-line
//! flag), and hitting one is an error that names the limit (by its [`Limit`] key) and the
//! expression, never an abort. Nesting is measured so that flat chains (`a + b + c + ...`,
//! `s.map(f).map(g)...`) do not count as nesting.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// The budgets. `Limits::default()` is what a run gets unless something raises them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The deepest nesting of expressions and of types accepted by the parser.
    pub nesting: u64,
    /// The most bits an integer may have (results of `*`, `^`, `+`, `-`).
    pub int_bits: u64,
    /// The most elements a symbolic set (range, powerset, ...) may be expanded into.
    pub set_elements: u64,
}

/// One of the budgets, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Nesting,
    IntBits,
    SetElements,
}

impl Limit {
    /// The name users raise it by.
    pub fn key(self) -> &'static str {
        match self {
            Limit::Nesting => "nesting",
            Limit::IntBits => "int-bits",
            Limit::SetElements => "set-elements",
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the `{}` limit ({}; raise it with --max-{})", self.key(), Limits::current().get(*self), self.key())
    }
}

/// The budgets a process starts with.
pub const DEFAULT: Limits = Limits { nesting: 1000, int_bits: 64_000_000, set_elements: 10_000_000 };

impl Default for Limits {
    fn default() -> Limits {
        DEFAULT
    }
}

static NESTING: AtomicU64 = AtomicU64::new(DEFAULT.nesting);
static INT_BITS: AtomicU64 = AtomicU64::new(DEFAULT.int_bits);
static SET_ELEMENTS: AtomicU64 = AtomicU64::new(DEFAULT.set_elements);

impl Limits {
    /// The budgets in force.
    pub fn current() -> Limits {
        Limits {
            nesting: NESTING.load(Ordering::Relaxed),
            int_bits: INT_BITS.load(Ordering::Relaxed),
            set_elements: SET_ELEMENTS.load(Ordering::Relaxed),
        }
    }

    /// Makes these the budgets of the process (every later parse and evaluation).
    pub fn install(self) {
        NESTING.store(self.nesting, Ordering::Relaxed);
        INT_BITS.store(self.int_bits, Ordering::Relaxed);
        SET_ELEMENTS.store(self.set_elements, Ordering::Relaxed);
    }

    pub fn get(&self, limit: Limit) -> u64 {
        match limit {
            Limit::Nesting => self.nesting,
            Limit::IntBits => self.int_bits,
            Limit::SetElements => self.set_elements,
        }
    }

    /// Sets one budget by its key (`nesting`, `int-bits`, `set-elements`); `false` for an
    /// unknown key.
    pub fn set(&mut self, key: &str, value: u64) -> bool {
        match key {
            "nesting" => self.nesting = value,
            "int-bits" => self.int_bits = value,
            "set-elements" => self.set_elements = value,
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let mut l = Limits::default();
        for limit in [Limit::Nesting, Limit::IntBits, Limit::SetElements] {
            assert!(l.set(limit.key(), 7));
            assert_eq!(l.get(limit), 7);
        }
        assert!(!l.set("nope", 1));
    }
}
