//! A driver in quint-connect's shape, written for a shipped example that was not written for
//! model-based testing: the ERC-20 style ledger of `examples/mbt/token.rs` against
//! `examples/token.qnt`. The state type is a projection of the ledger, decoded from the spec
//! by serde (maps keyed by tuples included); `switch!` dispatches on the action under `any`
//! with the picks by name (`a`, `b`, `c`, `amount`, as the spec's `step` names them). It
//! passes on random, coverage-guided traces and the spec's own `run` tests; against the
//! spec variant that does not check allowances, the ledger's refusal is reported.

#[path = "../../examples/mbt/token.rs"]
mod token;

use serde::Deserialize;
use spec_mbt::*;
use std::collections::BTreeMap;
use token::Ledger;

const HOLDERS: &[&str] = &["alice", "bob", "eve"];
const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/token.qnt");

#[derive(Debug, PartialEq, Eq, Deserialize)]
struct TokenState {
    balances: BTreeMap<String, i64>,
    allowances: BTreeMap<(String, String), i64>,
}

impl State<TokenDriver> for TokenState {
    fn from_driver(driver: &TokenDriver) -> Result<Self> {
        Ok(TokenState { balances: driver.ledger.balances().clone(), allowances: driver.ledger.allowances().clone() })
    }
}

struct TokenDriver {
    ledger: Ledger,
}

impl TokenDriver {
    fn new() -> TokenDriver {
        TokenDriver { ledger: Ledger::new(HOLDERS, 100) }
    }
}

impl Driver for TokenDriver {
    type State = TokenState;

    fn step(&mut self, step: &Step) -> Result {
        switch!(step {
            init => self.ledger = Ledger::new(HOLDERS, 100),
            transfer(a: String, b: String, amount: i64) => self.ledger.transfer(&a, &b, amount)?,
            approve(a: String, b: String, amount: i64) => self.ledger.approve(&a, &b, amount)?,
            // The spec's transferFrom(spender, from, dst, amount) is called with (a, b, c, amount).
            transferFrom(a: String, b: String, c: String, amount: i64) => self.ledger.transfer_from(&a, &b, &c, amount)?,
        })
    }
}

#[quint_run(spec = "../examples/token.qnt", max_samples = 100, max_steps = 10, seed = 1)]
fn the_ledger_agrees_with_the_token_spec() -> impl Driver {
    TokenDriver::new()
}

#[quint_run(spec = "../examples/token.qnt", max_samples = 20, max_steps = 10, seed = 2, strategy = "coverage")]
fn the_ledger_agrees_on_coverage_guided_traces() -> impl Driver {
    TokenDriver::new()
}

#[quint_test(spec = "../examples/token.qnt", test = "approveAndSpendTest")]
fn the_ledger_passes_the_specs_approve_and_spend_test() -> impl Driver {
    TokenDriver::new()
}

#[quint_test(spec = "../examples/token.qnt", test = "overspendTest")]
fn the_ledger_passes_the_specs_overspend_test() -> impl Driver {
    TokenDriver::new()
}

#[test]
fn every_action_of_the_token_is_driven() {
    let config = RunConfig::new("token").spec(SPEC).max_samples(30).max_steps(10).seed(1).strategy(Strategy::CoverageGuided);
    let report = run(&config, TokenDriver::new).unwrap_or_else(|e| panic!("{e}"));
    for action in ["init", "transfer", "approve", "transferFrom"] {
        assert!(report.coverage.get(action).copied().unwrap_or(0) > 0, "{action} never ran: {:?}", report.coverage);
    }
    assert!(report.spec_coverage.is_full(), "{}", report.spec_coverage);
}

#[test]
fn the_unchecked_allowance_variant_is_refused_by_the_ledger() {
    let config = RunConfig::new("token").spec(SPEC).main("token_unchecked_allowance").max_samples(300).max_steps(10).seed(1);
    let failure = match run(&config, TokenDriver::new) {
        Err(MbtError::Failure(f)) => f,
        other => panic!("expected the ledger to refuse an overspent allowance, got {other:?}"),
    };
    let FailureKind::Driver(e) = &failure.kind else { panic!("expected the driver to fail: {failure}") };
    assert!(e.to_string().contains("allows"), "{failure}");
    let step = failure.failing_step().unwrap_or_else(|| panic!("no failing step: {failure}"));
    assert_eq!(step.action, "transferFrom", "{failure}");
    // Shrunk: nothing needs to happen before spending an allowance that was never granted,
    // and the simplest such spend moves 1 token.
    assert_eq!(failure.trace.len(), 2, "{failure}");
    assert_eq!(step.pick("amount"), Some("1"), "{failure}");
}
