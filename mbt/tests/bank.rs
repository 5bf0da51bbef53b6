//! The worked example: the bank of `examples/mbt/bank.rs` against `examples/mbt/bank.qnt`.
//! The correct bank passes; each deliberate bug is found, and the report names the step,
//! the action, the picks and the state variable that differ, on a shrunk trace.

#[path = "../../examples/mbt/bank.rs"]
mod bank;

use bank::{Bank, BankError, Bug};
use serde::Deserialize;
use spec_mbt::*;
use std::collections::BTreeMap;

const ACCOUNTS: &[&str] = &["alice", "bob", "carol"];
const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/mbt/bank.qnt");

#[derive(Debug, PartialEq, Eq, Deserialize)]
enum Reply {
    Done,
    Refused(String),
}

/// What spec and implementation must agree on: both variables of the spec.
#[derive(Debug, PartialEq, Eq, Deserialize)]
struct BankState {
    balances: BTreeMap<String, u64>,
    last: Option<Reply>,
}

impl State<BankDriver> for BankState {
    fn from_driver(driver: &BankDriver) -> Result<Self> {
        Ok(BankState { balances: driver.bank.balances().clone(), last: driver.last.as_ref().map(|r| match r {
            Reply::Done => Reply::Done,
            Reply::Refused(m) => Reply::Refused(m.clone()),
        }) })
    }
}

struct BankDriver {
    bug: Bug,
    bank: Bank,
    last: Option<Reply>,
}

impl BankDriver {
    fn new(bug: Bug) -> BankDriver {
        BankDriver { bug, bank: Bank::with_bug(ACCOUNTS, bug), last: None }
    }

    /// The reply the spec would record for a result of the bank.
    fn record(&mut self, result: std::result::Result<(), BankError>) -> Result {
        self.last = Some(match result {
            Ok(()) => Reply::Done,
            Err(BankError::InsufficientFunds { .. }) => Reply::Refused("insufficient funds".into()),
            Err(e) => return Err(e.into()),
        });
        Ok(())
    }
}

impl Driver for BankDriver {
    type State = BankState;

    fn step(&mut self, step: &Step) -> Result {
        switch!(step {
            init => {
                self.bank = Bank::with_bug(ACCOUNTS, self.bug);
                self.last = None;
            },
            deposit(account: String, amount: u64) => {
                let r = self.bank.deposit(&account, amount);
                self.record(r)?
            },
            withdraw(account: String, amount: u64) => {
                let r = self.bank.withdraw(&account, amount);
                self.record(r)?
            },
            transfer(src: String, dst: String, amount: u64) => {
                let r = self.bank.transfer(&src, &dst, amount);
                self.record(r)?
            },
        })
    }
}

fn config(name: &str) -> RunConfig {
    RunConfig::new(name).spec(SPEC).max_samples(200).max_steps(15).seed(7)
}

fn failure(bug: Bug) -> Box<Failure> {
    match run(&config("bank"), || BankDriver::new(bug)) {
        Err(MbtError::Failure(f)) => f,
        Err(e) => panic!("expected a failure of the implementation, got: {e}"),
        Ok(r) => panic!("the bug {bug:?} was not found in {} samples", r.samples),
    }
}

#[test]
fn the_correct_bank_agrees_with_its_spec() {
    let report = run(&config("bank"), || BankDriver::new(Bug::None)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.samples, 200);
    for action in ["init", "deposit", "withdraw", "transfer"] {
        assert!(report.coverage.get(action).copied().unwrap_or(0) > 0, "{action} never ran: {:?}", report.coverage);
    }
}

#[test]
fn a_stale_self_transfer_is_found_and_shrunk() {
    let f = failure(Bug::StaleSelfTransfer);
    let FailureKind::Divergence { fields, diff, .. } = &f.kind else { panic!("expected a divergence: {f}") };
    assert_eq!(fields, &["balances".to_string()], "{f}");
    let step = f.failing_step().unwrap_or_else(|| panic!("no failing step in {f}"));
    assert_eq!(step.action, "transfer", "{f}");
    assert_eq!(step.pick("src"), step.pick("dst"), "only a transfer to the same account shows the bug: {f}");
    assert_eq!(f.step, f.trace.len() - 1);
    // Shrunk: the initial state, money to move, and the self-transfer (a deposit or two).
    assert!(f.trace.len() <= 4, "not shrunk enough: {f}");
    assert!(f.trace.len() <= f.original_len);
    assert!(diff.contains("--- spec") && diff.contains("+++ implementation"), "{diff}");
    let text = f.to_string();
    assert!(text.contains(&format!("SPEC_MBT_SEED={}", f.seed)), "{text}");
    assert!(text.contains("differing: balances"), "{text}");
}

#[test]
fn a_refused_exact_withdrawal_is_found() {
    let f = failure(Bug::ExactWithdrawRefused);
    let FailureKind::Divergence { fields, .. } = &f.kind else { panic!("expected a divergence: {f}") };
    assert_eq!(fields, &["balances".to_string(), "last".to_string()], "{f}");
    let step = f.failing_step().unwrap_or_else(|| panic!("no failing step in {f}"));
    assert_eq!(step.action, "withdraw", "{f}");
    assert!(f.trace.len() <= 3, "not shrunk enough: {f}");
}

#[test]
fn without_shrinking_the_original_trace_is_reported() {
    let shrunk = failure(Bug::StaleSelfTransfer);
    let f = match run(&config("bank").shrink(false), || BankDriver::new(Bug::StaleSelfTransfer)) {
        Err(MbtError::Failure(f)) => f,
        other => panic!("expected a failure, got {other:?}"),
    };
    assert_eq!(f.trace.len(), f.original_len);
    assert_eq!(f.sample, shrunk.sample, "the same sample fails first");
    assert!(f.trace.len() >= shrunk.trace.len());
}

#[quint_run(spec = "../examples/mbt/bank.qnt", max_samples = 50, max_steps = 10, seed = 3)]
fn quint_run_attribute_runs_the_correct_bank() -> impl Driver {
    BankDriver::new(Bug::None)
}

#[test]
#[should_panic(expected = "the implementation diverged from the spec")]
fn run_test_panics_with_the_report() {
    run_test(&config("bank"), || BankDriver::new(Bug::StaleSelfTransfer));
}

#[test]
fn picks_are_simplified_after_steps_are_dropped() {
    // The smallest trace that shows the stale self-transfer: one unit deposited into the
    // first account, and moved to itself.
    let f = failure(Bug::StaleSelfTransfer);
    let shown: Vec<String> = f.trace.iter().map(|s| s.to_string()).collect();
    assert_eq!(shown, ["init", "deposit(account = \"alice\", amount = 1)", "transfer(src = \"alice\", dst = \"alice\", amount = 1)"], "{f}");
    // The same for the refused exact withdrawal.
    let f = failure(Bug::ExactWithdrawRefused);
    let shown: Vec<String> = f.trace.iter().map(|s| s.to_string()).collect();
    assert_eq!(shown, ["init", "deposit(account = \"alice\", amount = 1)", "withdraw(account = \"alice\", amount = 1)"], "{f}");
}

/// The spec's `run` tests as trace sources, as quint-connect's `quint_test` runs them.
#[quint_test(spec = "../examples/mbt/bank.qnt", test = "selfTransferTest")]
fn quint_test_replays_a_spec_run_on_the_correct_bank() -> impl Driver {
    BankDriver::new(Bug::None)
}

#[quint_test(spec = "../examples/mbt/bank.qnt", test = "randomRequestsTest", max_samples = 20, seed = "0x2a")]
fn quint_test_replays_every_sample_of_a_random_run() -> impl Driver {
    BankDriver::new(Bug::None)
}

fn test_failure(test: &str, bug: Bug, shrink: bool) -> Box<Failure> {
    match run(&RunConfig::new(test).spec(SPEC).test(test).shrink(shrink), || BankDriver::new(bug)) {
        Err(MbtError::Failure(f)) => f,
        other => panic!("expected a failure of the implementation, got {other:?}"),
    }
}

#[test]
fn a_spec_run_finds_each_bug_at_its_step() {
    let f = test_failure("selfTransferTest", Bug::StaleSelfTransfer, false);
    assert_eq!(f.step, 2, "{f}");
    assert_eq!(f.trace[1].to_string(), "deposit(account = \"alice\", amount = 3)", "{f}");
    // A transfer to the same account changes nothing whatever the amount, so the step that
    // explains the run's state is the first way `step` reaches it: amount 1.
    assert_eq!(f.failing_step().map(|s| s.to_string()), Some("transfer(src = \"alice\", dst = \"alice\", amount = 1)".to_string()), "{f}");
    // Shrunk, the scenario's picks get simpler too.
    let f = test_failure("selfTransferTest", Bug::StaleSelfTransfer, true);
    assert_eq!(f.trace[1].to_string(), "deposit(account = \"alice\", amount = 1)", "{f}");
    let f = test_failure("selfTransferTest", Bug::ExactWithdrawRefused, true);
    assert_eq!(f.failing_step().map(|s| s.action.clone()), Some("withdraw".to_string()), "{f}");
    let FailureKind::Divergence { fields, .. } = &f.kind else { panic!("expected a divergence: {f}") };
    assert_eq!(fields, &["balances".to_string(), "last".to_string()], "{f}");
}

#[test]
fn a_spec_run_counts_its_samples_and_the_ones_without_choices_once() {
    let fixed = run(&RunConfig::new("t").spec(SPEC).test("selfTransferTest").max_samples(50), || BankDriver::new(Bug::None)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fixed.samples, 1, "a run without random choices is one trace");
    // init, deposit, transfer, withdraw; the final check keeps the state, and a run's last
    // step that changes nothing is not a step the driver is given.
    assert_eq!(fixed.steps, 4);
    let random = run(&RunConfig::new("t").spec(SPEC).test("randomRequestsTest").max_samples(20).seed(1), || BankDriver::new(Bug::None)).unwrap_or_else(|e| panic!("{e}"));
    assert!(random.samples > 1 && random.samples <= 20, "{} samples", random.samples);
}

#[test]
fn a_spec_run_that_step_cannot_explain_or_that_does_not_exist_is_an_error() {
    match run(&RunConfig::new("t").spec(SPEC).test("bigDepositTest"), || BankDriver::new(Bug::None)) {
        Err(MbtError::SpecTest(e @ spec_mbt::spec_test::SpecTestError::Unexplained { state: 2, .. })) => assert!(e.to_string().contains("`step`"), "{e}"),
        other => panic!("expected an unexplained state, got {other:?}"),
    }
    match run(&RunConfig::new("t").spec(SPEC).test("noSuchTest"), || BankDriver::new(Bug::None)) {
        Err(MbtError::SpecTest(spec_mbt::spec_test::SpecTestError::NoSuchTest { name })) => assert_eq!(name, "noSuchTest"),
        other => panic!("expected no such test, got {other:?}"),
    }
}
