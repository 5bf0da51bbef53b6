//! The syntax layer of the spec language: tokens (logos), grammar (lalrpop), the syntax
//! tree with spans, and the diagnostic type every later stage reports with. No IO, no salsa.
//!
//! The entry points are [`parse`] for a whole file, [`parse_expr`] for one expression and
//! [`parse_decls`] for declarations typed at a REPL prompt.

pub mod actions;
pub mod ast;
pub mod diagnostic;
pub mod docs;
pub mod lexer;
pub mod limits;
mod parse;
pub mod span;

#[allow(clippy::all, unused_parens, dead_code, unused_imports)]
mod grammar {
    include!(concat!(env!("OUT_DIR"), "/grammar.rs"));
}

pub use diagnostic::{Code, Diagnostic, Severity, SourceMap};
pub use parse::by_module::{module_ends, shift_decl, shift_module};
pub use parse::{parse, parse_decls, parse_expr, parse_uncached, MAX_DEPTH};
pub use limits::{Limit, Limits};
pub use span::{FileId, Span};
