//! One step of a spec trace as a driver sees it: the action taken, the nondeterministic picks
//! by name (a pick the step did not make is absent, never a default) and the spec state
//! after the step, all as spec values that decode into Rust types through serde.
//!
//! The action is the innermost named action that fired under `any` (what ITF's
//! `mbt::actionTaken` records), the init action's name for the first step, or, when the
//! driver's `Config::nondet_path` names a sum-type variable, that variable's constructor
//! (and its record payload gives the picks), as in quint-connect.

use crate::de::{from_value, DeError};
use crate::driver::Config;
use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use spec_interpreter::{Spec, State, Value};
use std::fmt;
use std::sync::Arc;

/// A step of a trace; see the module documentation.
#[derive(Clone, Debug)]
pub struct Step {
    /// The action's name (public for `switch!`).
    pub action_taken: String,
    /// The picks by name (public for `switch!`).
    pub nondet_picks: NondetPicks,
    /// The state after the step, as a record of variables (after `Config::state_path`).
    pub(crate) state: Value,
    /// The position of the step in its trace (0: the init action).
    pub index: usize,
}

/// The picks of a step by `nondet` name.
#[derive(Clone, Debug, Default)]
pub struct NondetPicks(Vec<(String, Value)>);

/// One pick, to decode into a Rust type.
#[derive(Clone, Copy, Debug)]
pub struct NondetPick<'a> {
    name: &'a str,
    value: &'a Value,
}

impl NondetPicks {
    pub fn empty() -> NondetPicks {
        NondetPicks::default()
    }

    /// The pick named `name`, if the step made one.
    pub fn get(&self, name: &str) -> Option<NondetPick<'_>> {
        self.0.iter().find(|(n, _)| n == name).map(|(name, value)| NondetPick { name, value })
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v))
    }
}

impl<'a> NondetPick<'a> {
    /// The pick as a `T`; the error names the pick (`amount: expected i64, found str`).
    pub fn decode<T: DeserializeOwned>(self) -> Result<T> {
        from_value(self.value, self.name).map_err(Error::Decode)
    }

    /// quint-connect's name for [`NondetPick::decode`].
    #[allow(clippy::should_implement_trait)]
    pub fn try_into<T: DeserializeOwned>(self) -> Result<T> {
        self.decode()
    }

    pub fn value(&self) -> &'a Value {
        self.value
    }
}

impl Step {
    /// The step that led to `state` (`index` 0 is the init action, named `init_name`).
    pub fn new(spec: &Spec, state: &State, step: &spec_interpreter::Step, index: usize, init_name: &str, config: &Config) -> Result<Step> {
        let names = spec.var_names();
        let values = spec.project(state);
        let record = Value::record(names.into_iter().zip(values).map(|(n, v)| (Arc::from(n.as_str()), v)).collect());
        let (action_taken, nondet_picks) = if config.nondet_path.is_empty() {
            let action = match (index, step.actions.first()) {
                (0, _) => init_name.to_string(),
                (_, Some(a)) => a.to_string(),
                (_, None) => "step".to_string(),
            };
            // A name picked several times in one step: the last pick, as ITF records it.
            let mut picks: Vec<(String, Value)> = Vec::new();
            for (n, v) in &step.picks {
                match picks.iter_mut().find(|(m, _)| m.as_str() == &**n) {
                    Some(slot) => slot.1 = v.clone(),
                    None => picks.push((n.to_string(), v.clone())),
                }
            }
            (action, NondetPicks(picks))
        } else {
            from_sum_type(at_path(&record, config.nondet_path)?)?
        };
        let state = at_path(&record, config.state_path)?.clone();
        Ok(Step { action_taken, nondet_picks, state, index })
    }

    pub fn action(&self) -> &str {
        &self.action_taken
    }

    /// The pick named `name` as a `T`, `None` when the step made no such pick.
    pub fn pick<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        self.nondet_picks.get(name).map(NondetPick::decode).transpose()
    }

    /// The spec state as a `T` (errors name paths from `state`).
    pub fn state<T: DeserializeOwned>(&self) -> Result<T, DeError> {
        from_value(&self.state, "state")
    }

    /// The spec state as a value: a record of the variables.
    pub fn state_value(&self) -> &Value {
        &self.state
    }
}

fn at_path<'v>(record: &'v Value, path: &[&str]) -> Result<&'v Value> {
    let mut v = record;
    for seg in path {
        v = v.field(seg).ok_or_else(|| Error::Path { path: path.iter().map(|s| s.to_string()).collect(), missing: seg.to_string() })?;
    }
    Ok(v)
}

fn from_sum_type(v: &Value) -> Result<(String, NondetPicks)> {
    match v {
        Value::Variant(tag, payload) => {
            let picks = match &**payload {
                Value::Record(fields) => fields.iter().map(|(n, v)| (n.to_string(), v.clone())).collect(),
                _ => Vec::new(),
            };
            Ok((tag.to_string(), NondetPicks(picks)))
        }
        other => Err(Error::Decode(DeError {
            root: "state".into(),
            path: Some(Vec::new()),
            kind: crate::de::DeErrorKind::Mismatch { expected: "a sum type value naming the action".into(), found: other.kind().into() },
        })),
    }
}

impl fmt::Display for NondetPicks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (n, v)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{n} = {v}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.action_taken, self.nondet_picks)
    }
}
