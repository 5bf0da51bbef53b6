//! `spec`: the command-line front end. A thin layer: it parses flags with clap, loads files
//! into the shared analysis database, calls the library crates and reports. Exit codes are
//! the same for every command: 0 success, 1 the spec's verdict is "no" (a violation, a
//! failed test), 2 invalid input (syntax, names, types, modes, flags, files), 3 a runtime
//! error while evaluating. Installed (or symlinked) under the name `quint`, it answers
//! Quint's command line: `quint run`, `quint test`, `quint verify`, `quint typecheck`.

mod commands;
mod report;

use clap::{Parser, Subcommand};

/// Evaluation allocates many small, short-lived values; mimalloc handles that well.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "spec", version, args_conflicts_with_subcommands = true, about = "Executable specifications in the Quint language: parse, typecheck, evaluate, simulate and test them.", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Check that a file parses; print syntax errors.
    Parse(commands::parse::Args),
    /// Check names, types and modes of a file and the files it imports.
    Typecheck(commands::typecheck::Args),
    /// Evaluate an expression and print its value.
    Eval(commands::eval::Args),
    /// Run random executions and check invariants in every state (`run` in Quint).
    #[command(visible_alias = "run")]
    Simulate(commands::simulate::Args),
    /// Explore every reachable state and check invariants (an exhaustive model checker).
    Check(commands::check::Args),
    /// Quint's `verify`: `check` up to `--max-steps` steps; no violation up to there is `[ok]`.
    Verify(commands::check::VerifyArgs),
    /// Check that an implementation's log (ITF or JSON lines) is a behaviour of the spec.
    Validate(commands::validate::Args),
    /// Run the `run` tests of a spec.
    Test(commands::test::Args),
    /// An interactive session: evaluate expressions, run actions, step through states.
    Repl(commands::repl::Args),
    /// The language server, over stdin and stdout (for editors).
    Lsp,
    /// A Model Context Protocol server over stdin and stdout (for coding agents; docs/mcp.md).
    Mcp,
}

fn main() -> ExitCode {
    commands::signals::default_sigpipe();
    let cli = match report::program() {
        "quint" => Cli::parse_from(std::iter::once(std::ffi::OsString::from("quint")).chain(std::env::args_os().skip(1))),
        _ => Cli::parse(),
    };
    let Some(command) = cli.command else {
        // `quint` alone starts the REPL, as Quint does; `spec` alone shows the help.
        if report::program() == "quint" {
            return ExitCode::from(commands::repl::run_default());
        }
        let _ = <Cli as clap::CommandFactory>::command().print_help();
        return ExitCode::from(report::INVALID);
    };
    let code = match command {
        Command::Parse(args) => commands::parse::run(args),
        Command::Typecheck(args) => commands::typecheck::run(args),
        Command::Eval(args) => commands::eval::run(args),
        Command::Simulate(args) => commands::simulate::run(args),
        Command::Check(args) => commands::check::run(args),
        Command::Verify(args) => commands::check::verify(args),
        Command::Validate(args) => commands::validate::run(args),
        Command::Test(args) => commands::test::run(args),
        Command::Repl(args) => commands::repl::run(args),
        Command::Lsp => match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
            Ok(runtime) => {
                runtime.block_on(spec_lsp::serve_stdio());
                report::OK
            }
            Err(e) => report::usage_error(&format!("cannot start the language server: {e}")),
        },
        Command::Mcp => commands::mcp::serve(),
    };
    report::flush_stdout();
    ExitCode::from(code)
}
