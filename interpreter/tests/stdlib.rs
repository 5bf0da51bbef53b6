//! The standard library's own `run` tests pass, and a spec can import its modules by name.

use spec_interpreter::test_runner::{is_run, run_test, tests, TestOutcome};
use spec_interpreter::{RandomChooser, Spec};

#[test]
fn every_stdlib_module_passes_its_tests() {
    for (name, text) in spec_stdlib::MODULES {
        let spec = Spec::from_text(&spec_stdlib::path(name), text, Some(name)).unwrap_or_else(|e| panic!("{name}: {}", e.sources.render(&e.diagnostics)));
        let own: Vec<_> = tests(&spec, &|_| true).into_iter().filter(|(_, def)| is_run(&spec, *def)).collect();
        assert!(!own.is_empty(), "{name} has tests");
        for (test, def) in own {
            match run_test(&spec, def, 10, 0) {
                TestOutcome::Passed { .. } => {}
                other => panic!("{name}::{test}: {other:?}"),
            }
        }
    }
}

#[test]
fn specs_import_the_stdlib_without_a_path() {
    let text = "module app {\n  import std::sets.*\n  import std::bounded.*\n  pure val top = max(Set(4, 8, 1))\n  pure val ok = addU64(U64_MAX, 0)\n}";
    let spec = Spec::from_text("app.qnt", text, None).unwrap_or_else(|e| panic!("{}", e.sources.render(&e.diagnostics)));
    let top = spec.lookup("top").unwrap();
    assert_eq!(spec.eval_def(&spec.state0(), top, &mut RandomChooser::new(0)).unwrap().to_string(), "8");
    let ok = spec.lookup("ok").unwrap();
    assert_eq!(spec.eval_def(&spec.state0(), ok, &mut RandomChooser::new(0)).unwrap().to_string(), "Some(18446744073709551615)");
}
