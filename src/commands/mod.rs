//! One module per subcommand.

pub mod check;
pub mod compile;
pub mod docs;
pub mod eval;
pub mod load;
pub mod mcp;
pub mod memory;
pub mod parse;
mod progress;
pub mod repl;
pub mod signals;
pub mod simulate;
pub mod test;
pub mod target;
pub mod typecheck;
pub mod validate;
