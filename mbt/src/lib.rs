//! Model-based testing on the spec engine, in-process: traces of a spec (random,
//! coverage-guided, or covering every transition) drive an implementation step by step,
//! and after every step the implementation's state must equal the spec's. The API is
//! shaped like quint-connect's (a [`Driver`] with a [`State`], steps dispatched with
//! [`switch!`], tests declared with [`quint_run`] and [`quint_test`]), so a driver written for
//! it ports with its imports changed; but no `quint` process runs and no trace file is
//! written: traces come from `spec_interpreter` directly, failures are shrunk by replaying
//! the spec with the scripted chooser, and reports name the step, the action, the picks and
//! the differing state variables.
//!
//! ```ignore
//! use spec_mbt::*;
//!
//! impl Driver for BankDriver {
//!     type State = BankState;
//!     fn step(&mut self, step: &Step) -> Result {
//!         switch!(step {
//!             init => self.bank = Bank::new(),
//!             deposit(account: String, amount: u64) => self.bank.deposit(&account, amount),
//!             transfer(from, to, amount) => self.record(self.bank.transfer(&from, &to, amount)),
//!         })
//!     }
//! }
//!
//! #[quint_run(spec = "../examples/mbt/bank.qnt", max_samples = 50)]
//! fn bank_matches_its_spec() -> impl Driver {
//!     BankDriver::default()
//! }
//! ```
//!
//! Modules: `de` (spec values into Rust types through serde, with paths in errors), `step`
//! (what a driver sees), `driver` (the traits), `strategy` (random, coverage-guided and
//! transition-covering trace generation), `coverage` (actions, `any` branches and states
//! covered), `spec_test` (a spec's `run` test as the traces, for [`quint_test`]), `runner`
//! (generation and replay), `shrink` (fewer steps, simpler picks), `report` (failures and
//! diffs). The spec as an oracle for observed events, and the validation of logs, are
//! `spec_interpreter::oracle`. See `docs/mbt.md`.

pub mod coverage;
pub mod de;
pub mod driver;
pub mod error;
pub mod report;
pub mod runner;
pub mod shrink;
pub mod spec_test;
pub mod step;
pub mod strategy;

pub use de::{from_value, DeError, DeErrorKind, Segment};
pub use driver::{Config, Driver, Path, State};
pub use error::{Error, Result};
pub use report::{Failure, FailureKind, TraceStep};
pub use coverage::Summary as CoverageSummary;
pub use runner::{explore, run, run_test, MbtError, Report, RunConfig, SEED_VAR};
pub use strategy::Strategy;
pub use spec_mbt_macros::{mbt_run, quint_run, quint_test, switch};
pub use step::{NondetPick, NondetPicks, Step};
