//! `switch!` on a spec whose actions make some picks only sometimes: optional picks are
//! `None` when absent, required ones are errors naming the action and the pick, actions
//! without a case are errors, and the catch-all `_` takes them.

use spec_mbt::*;

/// `bump` picks `by` always and `twice` only when `by` is odd.
const SPEC: &str = r#"
module counter {
  var n: int
  action init = n' = 0
  action bump = {
    nondet by = 1.to(3).oneOf()
    if (by % 2 == 1) {
      nondet twice = Set(true, false).oneOf()
      n' = n + (if (twice) 2 * by else by)
    } else n' = n + by
  }
  action reset = n' = 0
  action step = any { bump, reset }
}
"#;

fn spec_file() -> String {
    // One folder per test thread: tests run in parallel, and must not read a file that
    // another is writing.
    let thread: String = std::thread::current().name().unwrap_or("main").chars().map(|c| if c.is_alphanumeric() { c } else { '_' }).collect();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("mbt_switch_{thread}"));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let path = dir.join("counter.qnt");
    std::fs::write(&path, SPEC).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    path.display().to_string()
}

#[derive(Debug, PartialEq, serde::Deserialize)]
struct Counter {
    n: i64,
}

impl State<CounterDriver> for Counter {
    fn from_driver(d: &CounterDriver) -> Result<Self> {
        Ok(Counter { n: d.n })
    }
}

#[derive(Default)]
struct CounterDriver {
    n: i64,
    /// Which variant of the dispatch to use.
    style: u8,
    /// How many `bump`s came without `twice` (shared with the test).
    absent_twice: std::rc::Rc<std::cell::Cell<usize>>,
}

impl CounterDriver {
    fn reset(&mut self) {
        self.n = 0;
    }
}

impl Driver for CounterDriver {
    type State = Counter;

    fn step(&mut self, step: &Step) -> Result {
        match self.style {
            // Optional pick, implicit handler for `reset` (calls `self.reset()`).
            0 => switch!(step {
                init => self.n = 0,
                bump(by: i64, twice: bool?) => {
                    if twice.is_none() {
                        self.absent_twice.set(self.absent_twice.get() + 1);
                    }
                    self.n += if twice == Some(true) { 2 * by } else { by };
                },
                reset,
            }),
            // `twice` required: fails on the first even `by`.
            1 => switch!(step {
                init => self.n = 0,
                bump(by: i64, twice: bool) => self.n += if twice { 2 * by } else { by },
                reset,
            }),
            // No case for `reset`.
            2 => switch!(step {
                init => self.n = 0,
                bump(by: i64, twice?) => self.n += if twice == Some(true) { 2 * by } else { by },
            }),
            // A catch-all takes `reset`.
            _ => switch!(step {
                init => self.n = 0,
                bump(by: i64, twice?) => self.n += if twice == Some(true) { 2 * by } else { by },
                _ => self.n = 0,
            }),
        }
    }
}

fn config() -> RunConfig {
    RunConfig::new("counter").spec(&spec_file()).max_samples(30).max_steps(10).seed(5)
}

fn driver_error(style: u8) -> Box<Failure> {
    match run(&config(), || CounterDriver { style, ..CounterDriver::default() }) {
        Err(MbtError::Failure(f)) => f,
        Err(e) => panic!("expected a driver failure, got {e}"),
        Ok(_) => panic!("style {style} should fail"),
    }
}

#[test]
fn optional_picks_are_none_when_absent() {
    let absent = std::rc::Rc::new(std::cell::Cell::new(0));
    let report = run(&config(), || CounterDriver { absent_twice: absent.clone(), ..CounterDriver::default() }).unwrap_or_else(|e| panic!("{e}"));
    let bumps = report.coverage.get("bump").copied().unwrap_or(0);
    assert!(bumps > 10, "{:?}", report.coverage);
    // `by` = 2 in about a third of the bumps: then `twice` is absent, and only then.
    assert!(absent.get() > 0 && (absent.get() as u64) < bumps, "{} of {bumps}", absent.get());
}

#[test]
fn a_missing_required_pick_names_the_action_and_the_pick() {
    let f = driver_error(1);
    let FailureKind::Driver(Error::MissingPick { action, name }) = &f.kind else { panic!("expected a missing pick: {f}") };
    assert_eq!((action.as_str(), name.as_str()), ("bump", "twice"));
    let step = f.failing_step().unwrap_or_else(|| panic!("{f}"));
    assert_eq!(step.pick("by"), Some("2"), "only an even `by` comes without `twice`: {f}");
    assert_eq!(step.pick("twice"), None);
}

#[test]
fn an_action_without_a_case_is_an_error_and_the_catch_all_takes_it() {
    let f = driver_error(2);
    let FailureKind::Driver(Error::UnknownAction { action }) = &f.kind else { panic!("expected an unknown action: {f}") };
    assert_eq!(action, "reset");
    assert_eq!(f.trace.len(), 2, "shrunk to init and reset: {f}");
    run(&config(), || CounterDriver { style: 3, ..CounterDriver::default() }).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_seed_that_is_not_a_number_is_refused() {
    let config = config().seed_text("seven");
    assert!(matches!(run(&config, CounterDriver::default), Err(MbtError::BadSeed { text }) if text == "seven"));
    assert_eq!(runner_seed("0x10"), Some(16));
}

fn runner_seed(text: &str) -> Option<u64> {
    spec_mbt::runner::parse_seed(text)
}
