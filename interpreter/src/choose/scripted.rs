//! The scripted chooser: replays one step of a trace. It is given the picks by `nondet` name
//! and the names of the actions taken (as a simulated `Step` or an ITF state with MBT fields
//! records them). A `nondet` takes the value given for its name; a name without a value, or
//! a value that is not in the set, is an error, never a silent fallback. `any` takes the
//! branch that calls a given action; when no branch is named after one (the given action
//! may be nested deeper, or the branches are anonymous), it tries the branches in written
//! order and the first one the picks enable is taken.

use super::{Choice, ChoiceError, Chooser, Site, Tries};
use crate::value::Value;
use crate::Step;
use num_bigint::BigInt;
use num_traits::ToPrimitive;
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct ScriptedChooser {
    /// Picks by name, in the order given; a name given several times is used in turn (the
    /// last one stays).
    picks: Vec<(Arc<str>, Value)>,
    /// How many picks of each given name have been used.
    used: Vec<(Arc<str>, usize)>,
    actions: Vec<Arc<str>>,
}

impl ScriptedChooser {
    /// Picks by `nondet` name, and the names of the actions the step takes.
    pub fn new<N: Into<Arc<str>>, A: Into<Arc<str>>>(picks: impl IntoIterator<Item = (N, Value)>, actions: impl IntoIterator<Item = A>) -> ScriptedChooser {
        ScriptedChooser { picks: picks.into_iter().map(|(n, v)| (n.into(), v)).collect(), used: Vec::new(), actions: actions.into_iter().map(Into::into).collect() }
    }

    /// The choices a recorded step made.
    pub fn replaying(step: &Step) -> ScriptedChooser {
        ScriptedChooser::new(step.picks.iter().cloned(), step.actions.iter().cloned())
    }

    fn value_for(&mut self, name: &str) -> Option<Value> {
        let given: Vec<&Value> = self.picks.iter().filter(|(n, _)| &**n == name).map(|(_, v)| v).collect();
        let last = given.last()?;
        let used = match self.used.iter_mut().find(|(n, _)| &**n == name) {
            Some((_, k)) => k,
            None => {
                self.used.push((Arc::from(name), 0));
                &mut self.used.last_mut()?.1
            }
        };
        let v = given.get(*used).unwrap_or(last);
        *used += 1;
        Some((*v).clone())
    }

    fn position(&mut self, choice: &Choice) -> Result<BigInt, ChoiceError> {
        let Site::Pick { name: Some(name), set } = choice.site else { return Err(ChoiceError::Anonymous) };
        let value = self.value_for(name).ok_or_else(|| ChoiceError::NoPick { name: name.to_string() })?;
        // A pick from `Int` or `Nat` (a simulator's random integer): its own position.
        if let (crate::set::SetValue::Int | crate::set::SetValue::Nat, Value::Int(n)) = (set, &value) {
            if matches!(set, crate::set::SetValue::Int) || n.to_big() >= BigInt::from(0) {
                return Ok(super::infinite_pick_position(&n.to_big()));
            }
        }
        set.position(&value).ok_or_else(|| ChoiceError::NotInSet { name: name.to_string(), value, set: set.describe() })
    }
}

impl Chooser for ScriptedChooser {
    fn choose(&mut self, choice: &Choice) -> Result<Tries, ChoiceError> {
        match choice.site {
            Site::Branch { names } => {
                let given = |n: &Option<Arc<str>>| n.as_ref().is_some_and(|n| self.actions.contains(n));
                Ok(match names.iter().position(given) {
                    Some(i) => Tries::once(i as u64),
                    None => Tries::listed(0..choice.size),
                })
            }
            Site::Pick { .. } => {
                let i = self.position(choice)?;
                i.to_u64().map(Tries::once).ok_or(ChoiceError::OutOfRange { index: u64::MAX, size: choice.size })
            }
            Site::Number => Err(ChoiceError::Anonymous),
        }
    }

    fn retry(&mut self, _choice: &Choice, tries: &mut Tries) -> bool {
        tries.advance(&mut |_| 0)
    }

    fn choose_big(&mut self, choice: &Choice, _size: &BigInt) -> Result<BigInt, ChoiceError> {
        self.position(choice)
    }
}
