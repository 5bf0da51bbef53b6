//! How the CLI shows diagnostics: rendered for a terminal (with colour when stderr is one),
//! or as JSON on stdout with `--json`.

use spec_syntax::{Diagnostic, SourceMap};
use std::io::IsTerminal;

/// Exit codes shared by every command.
pub const OK: u8 = 0;
pub const VERDICT_NO: u8 = 1;
pub const INVALID: u8 = 2;
pub const RUNTIME: u8 = 3;

/// Prints diagnostics; returns whether any is an error.
pub fn diagnostics(sources: &SourceMap, diagnostics: &[Diagnostic], json: bool) -> bool {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    if json {
        return errors > 0;
    }
    sources.emit(diagnostics, std::io::stderr().is_terminal());
    if errors > 0 {
        eprintln!("{}", summary(errors, diagnostics.len() - errors));
    }
    errors > 0
}

fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") };
    if warnings > 0 {
        format!("{} and {} found", plural(errors, "error"), plural(warnings, "warning"))
    } else {
        format!("{} found", plural(errors, "error"))
    }
}

/// A problem with the command itself (a missing file, a bad flag value): one line, exit 2.
pub fn usage_error(message: &str) -> u8 {
    eprintln!("error: {message}");
    INVALID
}
