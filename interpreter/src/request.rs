//! Run requests: what every explorer (simulate, check, test, the REPL, an MBT harness) asks
//! for in the same words (a file, a main module, an `init` and a `step` action, invariants and
//! witnesses by name or as expressions, a constraint, a view), turned into a loaded spec and
//! checked definitions. Mistakes are found here, before anything runs: an unknown name (with
//! a suggestion), an invariant that is not a Boolean or that is an action, an `init` that is
//! not an action.

use crate::{LoadError, Spec};
use spec_analysis::ir::{DefId, Entity};
use spec_analysis::ty::Ty;
use spec_analysis::Mode;
use std::fmt;

/// What to run, as a user names it. Properties (invariants, witnesses, constraint, view) are
/// names of definitions or expressions over the main module's names.
#[derive(Clone, Debug, Default)]
pub struct RunRequest {
    pub file: String,
    pub main: Option<String>,
    pub init: String,
    pub step: String,
    pub invariants: Vec<String>,
    pub witnesses: Vec<String>,
    pub constraint: Option<String>,
    pub view: Option<String>,
}

/// A property as the user wrote it, and the definition that computes it.
#[derive(Clone, Debug)]
pub struct Property {
    pub shown: String,
    pub def: DefId,
}

/// A checked request: every name is a definition of the right kind.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub init: DefId,
    pub step: DefId,
    pub invariants: Vec<Property>,
    pub witnesses: Vec<Property>,
    pub constraint: Option<Property>,
    pub view: Option<Property>,
}

/// The role a name plays in a request, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Init,
    Step,
    Invariant,
    Witness,
    Constraint,
    View,
}

impl Role {
    fn noun(self) -> &'static str {
        match self {
            Role::Init | Role::Step => "action",
            Role::Invariant => "invariant",
            Role::Witness => "witness",
            Role::Constraint => "constraint",
            Role::View => "view",
        }
    }
}

/// Why a request cannot run.
#[derive(Debug)]
pub enum RequestError {
    /// The file or an expression of the request does not load (syntax, names, types, modes).
    Load(LoadError),
    /// No definition of that name in the main module.
    Unknown { role: Role, name: String, module: String, suggestion: Option<String> },
    /// `init`/`step` named something that is not an action.
    NotAction { role: Role, name: String, mode: Mode },
    /// A property that is not a Boolean (its type as found).
    NotBoolean { role: Role, shown: String, ty: String },
    /// A property (invariant, witness, constraint) that is an action or temporal formula.
    NotStatePredicate { role: Role, shown: String, mode: Mode },
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            RequestError::Load(e) => match &e.message {
                Some(m) => write!(f, "{m}"),
                None => write!(f, "the spec has errors"),
            },
            RequestError::Unknown { role, name, module, suggestion } => {
                write!(f, "there is no {} `{name}` in module `{module}`", role.noun())?;
                match suggestion {
                    Some(s) => write!(f, "; did you mean `{s}`?"),
                    None => Ok(()),
                }
            }
            RequestError::NotAction { role, name, mode } => {
                write!(f, "`{name}` is given as the {} action, but it is a {} definition", if *role == Role::Init { "initial" } else { "step" }, mode.name())
            }
            RequestError::NotBoolean { role, shown, ty } => write!(f, "the {} `{shown}` should be a Boolean, but it has type {ty}", role.noun()),
            RequestError::NotStatePredicate { role, shown, mode } => {
                write!(f, "the {} `{shown}` should be a predicate over one state, but it is {} ({} mode)", role.noun(), if *mode == Mode::Action { "an action" } else { "a temporal formula" }, mode.name())
            }
        }
    }
}

/// Whether `text` is a (possibly qualified) name rather than an expression.
pub fn is_name(text: &str) -> bool {
    let part = |p: &str| {
        let mut chars = p.chars();
        matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    !text.is_empty() && text.split("::").all(part)
}

impl RunRequest {
    /// Loads the spec (with any property expressions as extra definitions of the main
    /// module) and checks every name of the request.
    pub fn resolve(&self) -> Result<(Spec, Resolved), RequestError> {
        match self.resolve_wrapping(&[]) {
            // A property named by a state variable or a constant (`--invariant=ok` with
            // `var ok: bool`), as Quint accepts: load again with it as an expression.
            Err(unknown @ RequestError::Unknown { .. }) => {
                let Ok(spec) = Spec::load_file(&self.file, self.main.as_deref()) else { return Err(unknown) };
                let program = &spec.analysis.program;
                let scope = &program.modules[spec.main as usize].scope;
                let properties = self.invariants.iter().chain(&self.witnesses).chain(&self.constraint).chain(&self.view);
                let values: Vec<String> = properties.filter(|p| matches!(scope.get(p.as_str()), Some(Entity::Var(_) | Entity::Const(_)))).cloned().collect();
                if values.is_empty() {
                    return Err(unknown);
                }
                self.resolve_wrapping(&values)
            }
            done => done,
        }
    }

    /// [`RunRequest::resolve`], with the properties named in `values` (names that are not
    /// definitions) made definitions of their own, as expressions are.
    fn resolve_wrapping(&self, values: &[String]) -> Result<(Spec, Resolved), RequestError> {
        let mut extras: Vec<(String, String)> = Vec::new();
        let mut def_name = |text: &str, kind: &str| -> String {
            if is_name(text) && !values.iter().any(|v| v == text) {
                return text.to_string();
            }
            let name = format!("__{kind}{}", extras.len());
            extras.push((name.clone(), text.to_string()));
            name
        };
        let invariants: Vec<(String, String)> = self.invariants.iter().map(|i| (i.clone(), def_name(i, "invariant"))).collect();
        let witnesses: Vec<(String, String)> = self.witnesses.iter().map(|w| (w.clone(), def_name(w, "witness"))).collect();
        let constraint = self.constraint.as_ref().map(|c| (c.clone(), def_name(c, "constraint")));
        let view = self.view.as_ref().map(|v| (v.clone(), def_name(v, "view")));
        // `temporal` so that any mode is accepted by the loader; the role check below says
        // what is wrong with an action given as an invariant.
        let extra_refs: Vec<(&str, &str, &str)> = extras.iter().map(|(n, e)| ("temporal", n.as_str(), e.as_str())).collect();
        let spec = Spec::load_with_extras(&self.file, self.main.as_deref(), &extra_refs).map_err(RequestError::Load)?;
        let resolved = {
            let find = |role: Role, name: &str| find(&spec, role, name);
            let property = |role: Role, (shown, name): &(String, String), boolean: bool| -> Result<Property, RequestError> {
                let def = find(role, name)?;
                check_property(&spec, role, shown, def, boolean)?;
                Ok(Property { shown: shown.clone(), def })
            };
            let init = find(Role::Init, &self.init)?;
            let step = find(Role::Step, &self.step)?;
            for (role, def, name) in [(Role::Init, init, &self.init), (Role::Step, step, &self.step)] {
                // An action whose body assigns nothing reads as a state predicate; it runs (and
                // says at run time what it does not assign), as in Quint.
                let mode = spec.mode(def);
                if !matches!(mode, Mode::Action | Mode::State) {
                    return Err(RequestError::NotAction { role, name: name.clone(), mode });
                }
            }
            Resolved {
                init,
                step,
                invariants: invariants.iter().map(|i| property(Role::Invariant, i, true)).collect::<Result<_, _>>()?,
                witnesses: witnesses.iter().map(|w| property(Role::Witness, w, true)).collect::<Result<_, _>>()?,
                constraint: constraint.as_ref().map(|c| property(Role::Constraint, c, true)).transpose()?,
                view: view.as_ref().map(|v| property(Role::View, v, false)).transpose()?,
            }
        };
        Ok((spec, resolved))
    }
}

/// The definition `name` of the main module, or an error with the closest name.
pub fn find(spec: &Spec, role: Role, name: &str) -> Result<DefId, RequestError> {
    spec.lookup(name).ok_or_else(|| {
        let program = &spec.analysis.program;
        let module = &program.modules[spec.main as usize];
        let suggestion = spec_analysis::suggest::closest(name, module.scope.keys().map(|s| s.as_str()).filter(|s| !s.starts_with("__"))).map(str::to_string);
        RequestError::Unknown { role, name: name.to_string(), module: module.name.clone(), suggestion }
    })
}

fn check_property(spec: &Spec, role: Role, shown: &str, def: DefId, boolean: bool) -> Result<(), RequestError> {
    let mode = spec.mode(def);
    if matches!(mode, Mode::Action | Mode::Temporal) {
        return Err(RequestError::NotStatePredicate { role, shown: shown.to_string(), mode });
    }
    if boolean {
        match spec.analysis.types.defs.get(def as usize).and_then(|s| s.as_ref()) {
            Some(scheme) if !matches!(scheme.ty, Ty::Bool) => {
                return Err(RequestError::NotBoolean { role, shown: shown.to_string(), ty: scheme.ty.to_string() });
            }
            _ => {}
        }
    }
    Ok(())
}
