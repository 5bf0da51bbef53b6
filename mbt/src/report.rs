//! Failures as people read them: the step and action where the implementation parted from
//! the spec, a line diff of the two states (spec `-`, implementation `+`, from their pretty
//! `Debug` forms), the top-level fields (state variables) that differ, the shrunk trace that
//! leads there, and the seed that reproduces the run.

use crate::error::Error;
use std::fmt::{self, Debug};

/// One step of a reported trace: the action and its picks (as spec literals).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceStep {
    pub action: String,
    pub picks: Vec<(String, String)>,
}

impl TraceStep {
    /// The pick named `name`, as a spec literal (`"alice"`, `3`).
    pub fn pick(&self, name: &str) -> Option<&str> {
        self.picks.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

impl fmt::Display for TraceStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.picks.is_empty() {
            return write!(f, "{}", self.action);
        }
        let picks: Vec<String> = self.picks.iter().map(|(n, v)| format!("{n} = {v}")).collect();
        write!(f, "{}({})", self.action, picks.join(", "))
    }
}

/// How a step failed.
#[derive(Debug)]
pub enum FailureKind {
    /// The states differ after the step.
    Divergence {
        /// The spec's state and the implementation's, pretty-printed.
        spec: String,
        implementation: String,
        /// A unified line diff, spec first.
        diff: String,
        /// The top-level fields that differ (the state variables, for a struct state).
        fields: Vec<String>,
    },
    /// The driver's `step` failed (an unknown action, a missing or undecodable pick, or an
    /// implementation error it passed on).
    Driver(Error),
    /// The spec state does not decode into the driver's state type.
    SpecState(Error),
    /// The driver could not read the implementation's state.
    ImplState(Error),
    /// The step could not be presented to the driver (a `Config` path names nothing).
    SpecStep(Error),
}

impl FailureKind {
    pub fn divergence<T: Debug>(spec: &T, implementation: &T) -> FailureKind {
        let spec = format!("{spec:#?}");
        let implementation = format!("{implementation:#?}");
        let diff = similar::TextDiff::from_lines(&spec, &implementation).unified_diff().context_radius(3).header("spec", "implementation").to_string();
        let fields = differing_fields(&spec, &implementation);
        FailureKind::Divergence { spec, implementation, diff, fields }
    }

    pub fn is_divergence(&self) -> bool {
        matches!(self, FailureKind::Divergence { .. })
    }
}

/// The top-level fields of two pretty-printed structs whose text differs. A field starts
/// at a line indented by exactly four spaces with `name: `; anything else (a map, a tuple)
/// has no fields.
pub fn differing_fields(a: &str, b: &str) -> Vec<String> {
    let fa = fields(a);
    let fb = fields(b);
    let mut out: Vec<String> = Vec::new();
    for (name, text) in &fa {
        if fb.iter().find(|(n, _)| n == name).map(|(_, t)| t) != Some(text) {
            out.push(name.clone());
        }
    }
    for (name, _) in &fb {
        if !fa.iter().any(|(n, _)| n == name) {
            out.push(name.clone());
        }
    }
    out
}

fn fields(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines().skip(1) {
        let top = line.strip_prefix("    ").filter(|rest| !rest.starts_with(' '));
        let name = top.and_then(|rest| rest.split_once(": ")).map(|(n, _)| n).filter(|n| n.chars().all(|c| c.is_alphanumeric() || c == '_') && !n.is_empty());
        match (name, out.last_mut()) {
            (Some(n), _) => out.push((n.to_string(), line.to_string())),
            (None, Some((_, t))) => {
                t.push('\n');
                t.push_str(line);
            }
            (None, None) => {}
        }
    }
    out
}

/// A failed run: where, why, how to get there, and how to reproduce it.
#[derive(Debug)]
pub struct Failure {
    pub test: String,
    /// The run's seed (`SPEC_MBT_SEED` reproduces the run).
    pub seed: u64,
    /// The sample that failed, and its own seed.
    pub sample: u64,
    pub sample_seed: u64,
    /// The failing step's position in `trace` (0: the init action).
    pub step: usize,
    /// The steps up to and including the failing one, after shrinking.
    pub trace: Vec<TraceStep>,
    /// How many steps led to the failure before shrinking.
    pub original_len: usize,
    pub kind: FailureKind,
}

impl Failure {
    /// The failing step.
    pub fn failing_step(&self) -> Option<&TraceStep> {
        self.trace.get(self.step)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match &self.kind {
            FailureKind::Divergence { .. } => "the implementation diverged from the spec",
            FailureKind::Driver(_) => "the driver failed",
            FailureKind::SpecState(_) => "the spec state does not fit the driver's state type",
            FailureKind::ImplState(_) => "the driver could not read the implementation's state",
            FailureKind::SpecStep(_) => "the step could not be given to the driver",
        };
        let test = if self.test.is_empty() { String::new() } else { format!("`{}`: ", self.test) };
        writeln!(f, "model-based test {test}{what}")?;
        match self.failing_step() {
            Some(s) => writeln!(f, "  at step {} ({s})", self.step)?,
            None => writeln!(f, "  at step {}", self.step)?,
        }
        match &self.kind {
            FailureKind::Divergence { diff, fields, .. } => {
                if !fields.is_empty() {
                    writeln!(f, "  differing: {}", fields.join(", "))?;
                }
                writeln!(f, "{diff}")?;
            }
            FailureKind::Driver(e) | FailureKind::SpecState(e) | FailureKind::ImplState(e) | FailureKind::SpecStep(e) => writeln!(f, "  {e}")?,
        }
        if self.trace.len() < self.original_len {
            writeln!(f, "trace (shrunk from {} steps to {}):", self.original_len, self.trace.len())?;
        } else {
            writeln!(f, "trace:")?;
        }
        for (i, s) in self.trace.iter().enumerate() {
            writeln!(f, "  [{i}] {s}")?;
        }
        write!(f, "reproduce with {}={} (sample {}, whose seed is {})", crate::runner::SEED_VAR, self.seed, self.sample, self.sample_seed)
    }
}
