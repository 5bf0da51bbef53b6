//! One module per subcommand.

pub mod eval;
pub mod load;
pub mod parse;
pub mod typecheck;
