//! How the CLI shows results and diagnostics: rendered for a terminal (with colour when
//! stderr is one), or as JSON on stdout with `--json`. Also the one place that writes to
//! stdout (`out!`/`outln!`): a closed pipe ends the program quietly, any other write error
//! is reported with exit 2 (never a panic).

use serde_json::{json, Value as Json};
use spec_syntax::{Diagnostic, SourceMap, Span};
use std::fmt;
use std::io::{IsTerminal, Write};

/// Exit codes shared by every command.
pub const OK: u8 = 0;
pub const VERDICT_NO: u8 = 1;
pub const INVALID: u8 = 2;
pub const RUNTIME: u8 = 3;
/// A run stopped by a bound the user set (`check --max-depth`, `--max-seconds`) before it
/// finished: no violation up to there, which is not a proof.
pub const BOUNDED: u8 = 6;
/// A run stopped by SIGINT (Ctrl-C) or SIGTERM, as shells count them (128 + the signal).
pub const SIGINT_EXIT: u8 = 130;
pub const SIGTERM_EXIT: u8 = 143;

/// Prints to stdout like `print!`, without panicking on a write error.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::report::write_stdout(format_args!($($arg)*), false) };
}

/// Prints a line to stdout like `println!`, without panicking on a write error.
#[macro_export]
macro_rules! outln {
    () => { $crate::report::write_stdout(format_args!(""), true) };
    ($($arg:tt)*) => { $crate::report::write_stdout(format_args!($($arg)*), true) };
}

/// Writes to stdout. A reader that went away (a closed pipe) ends the program quietly;
/// another error (a full disk, /dev/full) is reported on stderr and ends it with exit 2.
pub fn write_stdout(args: fmt::Arguments, newline: bool) {
    let mut stdout = std::io::stdout().lock();
    let result = stdout.write_fmt(args).and_then(|_| if newline { stdout.write_all(b"\n") } else { Ok(()) });
    if let Err(e) = result {
        write_failed(e);
    }
}

/// Flushes stdout at the end of a command (the same rules as `write_stdout`).
pub fn flush_stdout() {
    if let Err(e) = std::io::stdout().lock().flush() {
        write_failed(e);
    }
}

fn write_failed(e: std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(141);
    }
    let _ = writeln!(std::io::stderr(), "error: cannot write the output: {e}");
    std::process::exit(INVALID as i32)
}

/// Prints a JSON document on one line of stdout.
pub fn json_out(value: &Json) {
    outln!("{value}");
}

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

/// The same problem under `--json`: the command's document with status "error" and one
/// diagnostic without a location; exit 2.
pub fn usage_error_json(command: &str, message: &str) -> u8 {
    json_out(&json!({ "command": command, "status": "error", "diagnostics": [plain_diagnostic("usage", "Usage", message, None)] }));
    INVALID
}

/// Reports a usage error as text or as JSON.
pub fn fail(command: &str, json: bool, message: &str) -> u8 {
    if json {
        usage_error_json(command, message)
    } else {
        usage_error(message)
    }
}

/// A diagnostic object (the schema of `SourceMap::to_json`) for a problem that is not one
/// of the analysis's: a usage error, a runtime error.
pub fn plain_diagnostic(code: &str, kind: &str, message: &str, location: Option<Json>) -> Json {
    json!({
        "code": code, "kind": kind, "severity": "error", "message": message,
        "location": location, "label": null, "labels": [], "notes": [], "help": null,
    })
}

/// The location object of a span (as in `SourceMap::to_json`).
pub fn location(sources: &SourceMap, span: Span) -> Json {
    let (line, column) = sources.line_col(span);
    let (end_line, end_column) = sources.line_col(Span { file: span.file, start: span.end, end: span.end });
    json!({ "file": sources.name(span.file), "line": line, "column": column, "end_line": end_line, "end_column": end_column, "start": span.start, "end": span.end })
}

/// A runtime error as a diagnostic object, with the call stack in its notes.
pub fn runtime_diagnostic(sources: &SourceMap, e: &spec_interpreter::EvalError) -> Json {
    let mut d = plain_diagnostic("runtime", &format!("{:?}", e.kind), &e.message, Some(location(sources, e.span)));
    let notes: Vec<String> = e
        .stack
        .iter()
        .map(|(name, span)| {
            let (line, column) = sources.line_col(*span);
            format!("in `{name}` called at {}:{line}:{column}", sources.name(span.file))
        })
        .collect();
    d["notes"] = json!(notes);
    d
}

/// Parses a seed as Quint prints them (`0x1a2b`) or in decimal.
pub fn parse_seed(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let parsed = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => t.parse::<u64>(),
    };
    parsed.map_err(|_| format!("`{text}` is not a seed: a number in decimal or in hex with 0x (at most 64 bits)"))
}

/// Reports a spec that failed to load (its diagnostics, or a message); exit code 2.
pub fn load_error(command: &str, e: &spec_interpreter::LoadError, json: bool) -> u8 {
    if json {
        let diagnostics = match &e.message {
            Some(message) => json!([plain_diagnostic("usage", "Usage", message, None)]),
            None => e.sources.to_json(&e.diagnostics),
        };
        json_out(&json!({ "command": command, "status": "error", "diagnostics": diagnostics }));
        return INVALID;
    }
    if let Some(message) = &e.message {
        return usage_error(message);
    }
    diagnostics(&e.sources, &e.diagnostics, false);
    INVALID
}

/// Reports a run request that does not resolve (bad names, properties of the wrong kind).
pub fn request_error(command: &str, e: &spec_interpreter::RequestError, json: bool) -> u8 {
    match e {
        spec_interpreter::RequestError::Load(e) => load_error(command, e, json),
        e => fail(command, json, &e.to_string()),
    }
}

/// The name this program was called by: `quint` when installed under that name.
pub fn program() -> &'static str {
    static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NAME.get_or_init(|| {
        let arg0 = std::env::args_os().next().unwrap_or_default();
        let base = std::path::Path::new(&arg0).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if base == "quint" { "quint".to_string() } else { "spec".to_string() }
    })
}

/// Checks `--hide` names against the spec's state variables.
pub fn check_hidden(spec: &spec_interpreter::Spec, hide: &[String]) -> Result<(), String> {
    let vars = spec.var_names();
    match hide.iter().find(|h| !vars.contains(h)) {
        Some(h) => Err(format!("--hide: there is no state variable `{h}` (the variables are: {})", vars.join(", "))),
        None => Ok(()),
    }
}

/// The file an ITF trace goes to, named as Quint names them: `{test}` is the test's name,
/// `{seq}` the trace's number; without `{seq}`, when several traces are written, the number
/// is appended to the name before its first dot (`out.itf.json` → `out0.itf.json`).
pub fn itf_path(pattern: &str, test: Option<&str>, seq: usize, several: bool) -> String {
    let pattern = match test {
        Some(name) => pattern.replace("{test}", name),
        None => pattern.to_string(),
    };
    if pattern.contains("{seq}") {
        return pattern.replace("{seq}", &seq.to_string());
    }
    if !several {
        return pattern;
    }
    let name_at = pattern.rfind('/').map_or(0, |i| i + 1);
    match pattern[name_at..].find('.') {
        Some(dot) => format!("{}{seq}{}", &pattern[..name_at + dot], &pattern[name_at + dot..]),
        None => format!("{pattern}{seq}"),
    }
}
