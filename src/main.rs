//! `spec`: the command-line front end. A thin layer: it parses flags with clap, loads files
//! into the shared analysis database, calls the library crates and reports. Exit codes are
//! the same for every command: 0 success, 1 the spec's verdict is "no" (a violation, a
//! failed test), 2 invalid input (syntax, names, types, modes, flags, files), 3 a runtime
//! error while evaluating. Installed (or symlinked) under the name `quint`, it answers
//! Quint's command line: `quint run`, `quint test`, `quint verify`, `quint typecheck`.

mod allocator;
mod commands;
mod report;

use clap::{Parser, Subcommand};

use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "spec", version, about = "Executable specifications in the Quint language: parse, typecheck, evaluate, simulate and test them.", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    budgets: Budgets,
    /// Quint's options of its REPL, given without a command: `spec -r file.qnt::M` starts one.
    #[command(flatten, next_help_heading = "Starting the REPL without a command (as `quint` does)")]
    repl: commands::repl::Start,
}

/// Resource budgets (`spec_syntax::Limits`), raised or lowered for one run; accepted before
/// or after the command. Hitting one is an error that names it (`the `int-bits` limit`).
/// Nesting can be raised to [`MAX_NESTING`] only: deeper types and list literals still
/// overflow the stack of some recursive passes (measured: 3,000 levels pass in a debug
/// build, 5,000 do not).
#[derive(clap::Args)]
struct Budgets {
    /// The most bits an integer may have [default: 64000000].
    #[arg(long, global = true, value_name = "BITS", value_parser = clap::value_parser!(u64).range(1..))]
    max_int_bits: Option<u64>,
    /// The most elements a set (a range, a powerset, ...) may be expanded into [default: 10000000].
    #[arg(long, global = true, visible_alias = "max-set-size", value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_set_elements: Option<u64>,
    /// The deepest nesting of expressions and types accepted, at most 3000 [default: 1000].
    #[arg(long, global = true, value_name = "LEVELS", value_parser = clap::value_parser!(u64).range(1..=MAX_NESTING))]
    max_nesting: Option<u64>,
    /// The most resident memory a run (simulate, check) may use, in MiB; past it the run stops
    /// with its summary and seed [default: 3/4 of the memory available to the process].
    #[arg(long, global = true, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..))]
    max_memory: Option<u64>,
}

/// The highest `--max-nesting` accepted.
const MAX_NESTING: u64 = 3000;

impl Budgets {
    /// Makes the given budgets those of the process, before anything is parsed.
    fn install(&self) {
        let mut limits = spec_syntax::Limits::current();
        if let Some(bits) = self.max_int_bits {
            limits.int_bits = bits;
        }
        if let Some(n) = self.max_set_elements {
            limits.set_elements = n;
        }
        if let Some(levels) = self.max_nesting {
            limits.nesting = levels;
        }
        limits.install();
        if let Some(mib) = self.max_memory {
            commands::memory::set_budget_mib(mib);
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Check syntax, names, imports and cycles among definitions (Quint's `parse`); print the errors.
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
    /// Quint's `compile --target json`: the analysed program (modules, declarations, types) as JSON.
    Compile(commands::compile::Args),
    /// Quint's `docs`: each module's declarations with their signatures and `///` comments, as Markdown.
    Docs(commands::docs::Args),
    /// Check that an implementation's log (ITF or JSON lines) is a behaviour of the spec.
    Validate(commands::validate::Args),
    /// Run the tests of a spec: the definitions whose names match (`run`s, and values that must be true).
    Test(commands::test::Args),
    /// An interactive session: evaluate expressions, run actions, step through states.
    Repl(commands::repl::Args),
    /// The language server, over stdin and stdout (for editors).
    Lsp,
    /// A Model Context Protocol server over stdin and stdout (for coding agents; docs/mcp.md).
    Mcp,
}

fn main() -> ExitCode {
    allocator::set_up_memory();
    commands::signals::default_sigpipe();
    let cli = match report::program() {
        "quint" => Cli::parse_from(std::iter::once(std::ffi::OsString::from("quint")).chain(std::env::args_os().skip(1))),
        _ => Cli::parse(),
    };
    cli.budgets.install();
    let Some(command) = cli.command else {
        // `quint` alone starts the REPL, as Quint does, and so do REPL options (`-r`, `-q`);
        // `spec` alone shows the help.
        if report::program() == "quint" || cli.repl.given() {
            return ExitCode::from(commands::repl::run_default(cli.repl));
        }
        let _ = <Cli as clap::CommandFactory>::command().print_help();
        return ExitCode::from(report::INVALID);
    };
    let outer = cli.repl;
    if outer.given() && !matches!(command, Command::Repl(_)) {
        // `spec --seed 3 simulate ...` would otherwise run with another seed, silently.
        return ExitCode::from(report::usage_error("`-r`, `-q`, `--verbosity` and `--seed` before a command start the REPL; give the command's own options after its name (`spec simulate --seed 3 ...`)"));
    }
    let code = match command {
        Command::Parse(args) => commands::parse::run(args),
        Command::Typecheck(args) => commands::typecheck::run(args),
        Command::Eval(args) => commands::eval::run(args),
        Command::Simulate(args) => commands::simulate::run(args),
        Command::Check(args) => commands::check::run(args),
        Command::Verify(args) => commands::check::verify(args),
        Command::Validate(args) => commands::validate::run(args),
        Command::Compile(args) => commands::compile::run(args),
        Command::Docs(args) => commands::docs::run(args),
        Command::Test(args) => commands::test::run(args),
        Command::Repl(args) => commands::repl::run(args.with_outer(outer)),
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
