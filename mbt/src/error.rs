//! What a driver's step can fail with. Like anyhow's error it converts from any
//! `std::error::Error` with `?` (so an implementation's own errors pass through a driver), and
//! for the same reason it does not implement `std::error::Error` itself.

use crate::de::DeError;
use std::fmt;

/// The error of [`crate::Driver::step`] and [`crate::State::from_driver`].
#[derive(Debug)]
pub enum Error {
    /// `switch!` met an action it has no case for.
    UnknownAction { action: String },
    /// `switch!` needs a pick that the step did not make (write `name?` if it may be absent).
    MissingPick { action: String, name: String },
    /// A spec value (a pick or the state) does not fit the Rust type asked for.
    Decode(DeError),
    /// `Config::state_path` or `Config::nondet_path` names nothing in the state.
    Path { path: Vec<String>, missing: String },
    /// An error of the implementation or of the driver itself.
    Implementation(Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// An error with just a message (for drivers; prefer the implementation's own errors).
    pub fn msg(message: impl fmt::Display) -> Error {
        Error::Implementation(message.to_string().into())
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for Error {
    fn from(e: E) -> Error {
        Error::Implementation(Box::new(e))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownAction { action } => write!(f, "the driver has no case for action `{action}`"),
            Error::MissingPick { action, name } => write!(f, "action `{action}` made no pick `{name}` (write `{name}?` in switch! if it may be absent)"),
            Error::Decode(e) => write!(f, "{e}"),
            Error::Path { path, missing } => write!(f, "the state has no `{missing}` (path {})", path.join(".")),
            Error::Implementation(e) => write!(f, "{e}"),
        }
    }
}

/// The result of driver functions; `Result` alone is `Result<(), Error>`, as in quint-connect.
pub type Result<A = (), E = Error> = std::result::Result<A, E>;
