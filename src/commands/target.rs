//! The flags that say what to run, shared by `simulate`/`run`, `check`, `verify` and
//! `validate`: the file, the main module, the initial and step actions, and the invariants.

use spec_interpreter::RunRequest;

#[derive(clap::Args, Clone)]
pub struct Target {
    /// The spec file (.qnt).
    pub file: String,
    /// The module to run (default: the one named after the file, else the last).
    #[arg(long)]
    pub main: Option<String>,
    /// The action that makes the initial states.
    #[arg(long, default_value = "init")]
    pub init: String,
    /// The action of each step.
    #[arg(long, default_value = "step")]
    pub step: String,
}

#[derive(clap::Args, Clone, Default)]
pub struct Invariants {
    /// An invariant to check in every state: a definition's name or an expression.
    #[arg(long, allow_hyphen_values = true)]
    pub invariant: Vec<String>,
    /// Several invariants.
    #[arg(long, num_args = 1..)]
    pub invariants: Vec<String>,
}

impl Invariants {
    /// Every invariant given, `--invariant` ones first.
    pub fn all(&self) -> Vec<String> {
        self.invariant.iter().chain(&self.invariants).cloned().collect()
    }

    pub fn is_empty(&self) -> bool {
        self.invariant.is_empty() && self.invariants.is_empty()
    }
}

impl Target {
    /// The run request these flags describe (properties other than invariants left empty).
    pub fn request(&self, invariants: &Invariants) -> RunRequest {
        RunRequest {
            file: self.file.clone(),
            main: self.main.clone(),
            init: self.init.clone(),
            step: self.step.clone(),
            invariants: invariants.all(),
            ..RunRequest::default()
        }
    }
}
