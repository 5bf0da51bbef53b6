//! The two traits a harness implements, shaped like quint-connect's: a [`Driver`] wraps the
//! implementation and applies each spec step to it; its [`State`] is the part of the state
//! that spec and implementation must agree on, read from the driver (`from_driver`) and from
//! the spec (`from_spec`, by serde) into the same Rust type and compared after every step.

use crate::de::from_value;
use crate::error::{Error, Result};
use crate::step::Step;
use serde::de::DeserializeOwned;
use spec_interpreter::Value;
use std::fmt::Debug;

/// A path of record fields into the spec state.
pub type Path = &'static [&'static str];

/// Where a driver finds things in the spec state.
#[derive(Clone, Copy, Debug, Default)]
pub struct Config {
    /// The sub-record compared with the implementation (empty: all variables).
    pub state_path: Path,
    /// A sum-type variable whose constructor names the action and whose record payload holds
    /// the picks (empty: the actions and picks the engine records).
    pub nondet_path: Path,
}

/// Applies spec steps to an implementation.
pub trait Driver: Sized {
    type State: State<Self>;

    /// Makes the implementation take `step` (its action, with its picks).
    fn step(&mut self, step: &Step) -> Result;

    fn config() -> Config {
        Config::default()
    }
}

/// The state that spec and implementation must agree on.
pub trait State<D>: PartialEq + DeserializeOwned + Debug {
    /// The implementation's state, read through the driver.
    fn from_driver(driver: &D) -> Result<Self>;

    /// The spec's state (a record of the variables, after `Config::state_path`).
    fn from_spec(value: &Value) -> Result<Self> {
        from_value(value, "state").map_err(Error::Decode)
    }
}

/// No state to compare: the driver only checks that the implementation accepts each step.
impl<D> State<D> for () {
    fn from_driver(_driver: &D) -> Result<Self> {
        Ok(())
    }

    fn from_spec(_value: &Value) -> Result<Self> {
        Ok(())
    }
}
