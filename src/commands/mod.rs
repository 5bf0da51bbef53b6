//! One module per subcommand.

pub mod load;
pub mod parse;
pub mod typecheck;
