//! `SPEC_MBT_SEED` overrides the configured seed. In a test binary of its own: the variable
//! is process-wide, and other tests must not see it.

use spec_mbt::*;

struct Accepting;

impl Driver for Accepting {
    type State = ();
    fn step(&mut self, _step: &Step) -> Result {
        Ok(())
    }
}

#[test]
fn the_environment_overrides_the_configured_seed() {
    let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/mbt/bank.qnt");
    let config = RunConfig::new("seed").spec(spec).seed(7).max_samples(3).max_steps(3);
    assert_eq!(runner::resolve_seed(&config).ok(), Some(7));
    std::env::set_var(SEED_VAR, "0x2a");
    let report = run(&config, || Accepting).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.seed, 42);
    std::env::set_var(SEED_VAR, "forty-two");
    assert!(matches!(run(&config, || Accepting), Err(MbtError::BadSeed { text }) if text == "forty-two"));
    std::env::remove_var(SEED_VAR);
    assert_eq!(run(&config, || Accepting).map(|r| r.seed).ok(), Some(7));
}
