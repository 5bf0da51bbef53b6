//! The spec as an oracle for observed behaviour. Given events seen in a running system (an
//! action name, the picks that are known, and the variables that were observed, any of which
//! may be partial), the oracle keeps the *set* of spec states consistent with everything seen
//! so far: each event maps every state in the set to the successors the spec allows for that
//! action with those picks (the unknown picks range over every value the spec could choose),
//! keeping those that agree with the observed variables. An event that leaves the set empty
//! is unexplained: the system did something the spec does not allow.
//!
//! Successors are enumerated (as `Spec::successors` does); when a choice is too large to
//! enumerate (more than [`MAX_ALTERNATIVES`]), the step is replayed with the scripted chooser from the given picks
//! instead, which then must name every pick. `validate` runs a whole log through the oracle;
//! `parse_itf` and `parse_ndjson` read logs written as ITF traces (with Quint's MBT fields)
//! or as one JSON event per line.

use crate::eval::ErrorKind;
use crate::{EvalError, ScriptedChooser, Spec, State, Value};
use serde_json::Value as Json;
use spec_analysis::ir::DefId;
use std::fmt;

/// The most states the oracle keeps at once.
pub const MAX_STATES: usize = 100_000;

/// The most alternatives of one choice the oracle enumerates; a larger set (or an infinite
/// one) needs its pick given.
pub const MAX_ALTERNATIVES: u64 = 10_000;

/// Every way `def` can run from `state`, refusing choices too large to enumerate.
fn successors_bounded(spec: &Spec, state: &State, def: DefId) -> Result<Vec<(State, crate::Step)>, Box<EvalError>> {
    spec.successors_with(state, def, None, crate::EnumeratingChooser::with_limit(MAX_ALTERNATIVES))
}

/// Something seen in the system under test.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Event {
    /// The action taken (`init` for the first event of a log); empty when it is not known
    /// (Quint records "" when the `any` that decided the step took a branch calling no action).
    pub action: String,
    /// The picks that are known, by `nondet` name; others are unknown.
    pub picks: Vec<(String, Value)>,
    /// The variables observed after the event (some or all; none at all is allowed).
    pub observed: Vec<(String, Value)>,
}

/// Why the oracle could not answer.
#[derive(Debug)]
pub enum OracleError {
    /// No definition of that name in the main module.
    UnknownAction(String),
    /// An observed variable the spec does not have.
    UnknownVariable(String),
    /// The spec failed while running (a runtime error).
    Eval(Box<EvalError>),
    /// More consistent states than [`MAX_STATES`]: observe more of the state.
    TooManyStates(usize),
}

impl fmt::Display for OracleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OracleError::UnknownAction(a) => write!(f, "there is no action `{a}` in the spec"),
            OracleError::UnknownVariable(v) => write!(f, "the spec has no variable `{v}`"),
            OracleError::Eval(e) => write!(f, "{}", e.message),
            OracleError::TooManyStates(n) => write!(f, "more than {n} spec states are consistent with the log: observe more variables"),
        }
    }
}

/// The spec, and the states consistent with what has been observed.
pub struct Oracle<'s> {
    spec: &'s Spec,
    init: DefId,
    step: DefId,
    /// `None` before the first (init) event.
    states: Option<Vec<State>>,
}

impl<'s> Oracle<'s> {
    pub fn new(spec: &'s Spec, init: DefId, step: DefId) -> Oracle<'s> {
        Oracle { spec, init, step, states: None }
    }

    /// The states consistent with the events so far (empty before the first event).
    pub fn states(&self) -> &[State] {
        self.states.as_deref().unwrap_or(&[])
    }

    /// The states `event` may lead to from `state` (the spec's answer to "is this allowed,
    /// and what must the next state be?"); empty when it is not allowed.
    pub fn next_states(&self, state: &State, event: &Event, initial: bool) -> Result<Vec<State>, OracleError> {
        let def = if initial { self.init } else { self.step };
        let successors = match successors_bounded(self.spec, state, def) {
            Ok(s) => s,
            // Too large to enumerate: the given picks must say everything.
            Err(e) if e.kind == ErrorKind::Choice => {
                let mut chooser = ScriptedChooser::new(event.picks.iter().map(|(n, v)| (n.as_str(), v.clone())), [event.action.as_str()]);
                match self.spec.run_def(state, def, &mut chooser, None) {
                    Ok(Some(next)) => vec![next],
                    Ok(None) => Vec::new(),
                    Err(e) if e.kind == ErrorKind::Choice => Vec::new(),
                    Err(e) => return Err(OracleError::Eval(e)),
                }
            }
            Err(e) => return Err(OracleError::Eval(e)),
        };
        let mut out = Vec::new();
        for (next, step) in successors {
            // A step that records no action name (no `any` over named actions) cannot be told
            // apart by name: it fits any.
            let action_fits = initial || event.action.is_empty() || step.actions.is_empty() || step.actions.iter().any(|a| **a == *event.action);
            let picks_fit = event.picks.iter().all(|(name, v)| step.picks.iter().rev().find(|(n, _)| **n == **name).is_some_and(|(_, p)| p == v));
            let observed_fit = event.observed.iter().all(|(name, v)| self.spec.var_value(&next, name) == Some(v));
            if action_fits && picks_fit && observed_fit {
                out.push(next);
            }
        }
        Ok(out)
    }

    /// Takes `event` into account: `Ok(false)` when no consistent state allows it (the set
    /// is then left as it was, for inspection).
    pub fn observe(&mut self, event: &Event) -> Result<bool, OracleError> {
        let (from, initial) = match &self.states {
            None => (vec![self.spec.state0()], true),
            Some(s) => (s.clone(), false),
        };
        if !initial && !event.action.is_empty() && self.spec.lookup(&event.action).is_none() {
            return Err(OracleError::UnknownAction(event.action.clone()));
        }
        let vars = self.spec.var_names();
        let renamed;
        let event = if event.observed.iter().all(|(n, _)| vars.contains(n)) {
            event
        } else {
            renamed = unqualified(event, &vars)?;
            &renamed
        };
        let mut next: Vec<State> = Vec::new();
        for state in &from {
            next.extend(self.next_states(state, event, initial)?);
            if next.len() > MAX_STATES {
                return Err(OracleError::TooManyStates(MAX_STATES));
            }
        }
        next.sort_by(|a, b| a.as_slice().cmp(b.as_slice()));
        next.dedup_by(|a, b| a.as_slice() == b.as_slice());
        if next.is_empty() {
            return Ok(false);
        }
        self.states = Some(next);
        Ok(true)
    }
}

/// `event` with its variables named as the spec's main module names them: Quint's traces of a
/// module that imports an instance qualify them by the modules (`ewd840_3::ewd840::active`).
fn unqualified(event: &Event, vars: &[String]) -> Result<Event, OracleError> {
    let mut observed = Vec::with_capacity(event.observed.len());
    for (name, value) in &event.observed {
        let local = name.rsplit("::").next().filter(|local| vars.iter().any(|v| v == local));
        match (vars.contains(name), local) {
            (true, _) => observed.push((name.clone(), value.clone())),
            (false, Some(local)) => observed.push((local.to_string(), value.clone())),
            (false, None) => return Err(OracleError::UnknownVariable(name.clone())),
        }
    }
    Ok(Event { action: event.action.clone(), picks: event.picks.clone(), observed })
}

/// The verdict on a log.
#[derive(Debug)]
pub enum Validation {
    /// Every event is allowed; `states` spec states are consistent with the whole log.
    Consistent { events: usize, states: usize },
    /// Event `index` (0: the first) is not allowed by the spec in any consistent state.
    Unexplained { index: usize, event: Event, candidates: usize },
}

/// Runs a log through the oracle: the first event is the initial action's.
pub fn validate(spec: &Spec, init: DefId, step: DefId, events: &[Event]) -> Result<Validation, OracleError> {
    let mut oracle = Oracle::new(spec, init, step);
    for (index, event) in events.iter().enumerate() {
        if !oracle.observe(event)? {
            return Ok(Validation::Unexplained { index, event: event.clone(), candidates: oracle.states().len().max(1) });
        }
    }
    Ok(Validation::Consistent { events: events.len(), states: oracle.states().len() })
}

/// Why a log could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum LogError {
    /// A line (1-based; 0 for a whole-file format) that is not JSON.
    Json { line: usize, message: String },
    /// The JSON is not shaped like a log: what was expected, and where.
    Shape { at: String, expected: &'static str },
}

impl fmt::Display for LogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogError::Json { line: 0, message } => write!(f, "not JSON: {message}"),
            LogError::Json { line, message } => write!(f, "line {line} is not JSON: {message}"),
            LogError::Shape { at, expected } => write!(f, "{at}: expected {expected}"),
        }
    }
}

fn itf_value(j: &Json, at: &str) -> Result<Value, LogError> {
    crate::itf::parse_value(j).ok_or_else(|| LogError::Shape { at: at.to_string(), expected: "an ITF value" })
}

/// A log written as an ITF trace with `mbt::actionTaken` and `mbt::nondetPicks` (as `spec
/// simulate --mbt` and Quint write them); every other field of a state is observed.
pub fn parse_itf(text: &str) -> Result<Vec<Event>, LogError> {
    let json: Json = serde_json::from_str(text).map_err(|e| LogError::Json { line: 0, message: e.to_string() })?;
    let states = json.get("states").and_then(Json::as_array).ok_or(LogError::Shape { at: "the trace".into(), expected: "a `states` array" })?;
    let mut events = Vec::new();
    for (i, state) in states.iter().enumerate() {
        let at = format!("state {i}");
        let obj = state.as_object().ok_or(LogError::Shape { at: at.clone(), expected: "an object" })?;
        let action = match obj.get("mbt::actionTaken") {
            Some(Json::String(a)) => a.clone(),
            Some(_) => return Err(LogError::Shape { at: format!("{at}.mbt::actionTaken"), expected: "a string" }),
            None if i == 0 => "init".to_string(),
            None => return Err(LogError::Shape { at, expected: "an `mbt::actionTaken` field" }),
        };
        let mut picks = Vec::new();
        if let Some(p) = obj.get("mbt::nondetPicks") {
            let p = p.as_object().ok_or(LogError::Shape { at: format!("{at}.mbt::nondetPicks"), expected: "a record" })?;
            for (name, v) in p {
                match itf_value(v, &format!("{at}.mbt::nondetPicks.{name}"))? {
                    Value::Variant(tag, payload) if &*tag == "Some" => picks.push((name.clone(), (*payload).clone())),
                    Value::Variant(tag, _) if &*tag == "None" => {}
                    _ => return Err(LogError::Shape { at: format!("{at}.mbt::nondetPicks.{name}"), expected: "Some(value) or None" }),
                }
            }
        }
        let mut observed = Vec::new();
        for (name, v) in obj {
            if name.starts_with('#') || name.starts_with("mbt::") {
                continue;
            }
            observed.push((name.clone(), itf_value(v, &format!("{at}.{name}"))?));
        }
        events.push(Event { action, picks, observed });
    }
    Ok(events)
}

/// A log in either format: an ITF trace (a JSON object with `states`), else NDJSON.
pub fn parse_log(text: &str) -> Result<Vec<Event>, LogError> {
    match serde_json::from_str::<Json>(text) {
        Ok(json) if json.get("states").is_some() => parse_itf(text),
        _ => parse_ndjson(text),
    }
}

/// A log with one JSON event per line: `{"action": "deposit", "picks": {"amount": ...},
/// "state": {"balance": ...}}`, values in ITF notation; `picks` and `state` may be partial
/// or absent. Blank lines are skipped.
pub fn parse_ndjson(text: &str) -> Result<Vec<Event>, LogError> {
    let mut events = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("line {}", i + 1);
        let json: Json = serde_json::from_str(line).map_err(|e| LogError::Json { line: i + 1, message: e.to_string() })?;
        let action = json.get("action").and_then(Json::as_str).ok_or(LogError::Shape { at: at.clone(), expected: "an `action` string" })?.to_string();
        let fields = |key: &str| -> Result<Vec<(String, Value)>, LogError> {
            match json.get(key) {
                None | Some(Json::Null) => Ok(Vec::new()),
                Some(Json::Object(o)) => o.iter().map(|(n, v)| Ok((n.clone(), itf_value(v, &format!("{at}.{key}.{n}"))?))).collect(),
                Some(_) => Err(LogError::Shape { at: format!("{at}.{key}"), expected: "an object" }),
            }
        };
        events.push(Event { action, picks: fields("picks")?, observed: fields("state")? });
    }
    Ok(events)
}

/// Why `spec validate` could not give a verdict.
#[derive(Debug)]
pub enum ValidateError {
    Log(LogError),
    Oracle(OracleError),
}

impl fmt::Display for ValidateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValidateError::Log(e) => write!(f, "cannot read the log: {e}"),
            ValidateError::Oracle(e) => write!(f, "{e}"),
        }
    }
}

/// `spec validate`'s engine: reads `log` (ITF or NDJSON, see [`parse_log`]) and runs it
/// through the oracle from the spec's `init` and `step`.
pub fn validate_log(spec: &Spec, init: DefId, step: DefId, log: &str) -> Result<Validation, ValidateError> {
    let events = parse_log(log).map_err(ValidateError::Log)?;
    validate(spec, init, step, &events).map_err(ValidateError::Oracle)
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let picks: Vec<String> = self.picks.iter().map(|(n, v)| format!("{n} = {v}")).collect();
        write!(f, "{}({})", self.action, picks.join(", "))?;
        for (n, v) in &self.observed {
            write!(f, "\n  observed {n}: {v}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Validation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Validation::Consistent { events, states } => {
                write!(f, "the log is consistent with the spec: {events} events, {states} spec state(s) fit the end of it")
            }
            Validation::Unexplained { index, event, candidates } => {
                write!(f, "event {index} is not allowed by the spec in any of the {candidates} state(s) consistent with the events before it:\n  {event}")
            }
        }
    }
}
