//! Resource budgets can be raised and lowered (one test: the limits are process-wide).

use spec_interpreter::{RandomChooser, Spec};
use spec_syntax::Limits;

fn eval(expr: &str) -> Result<String, String> {
    let spec = Spec::with_extras("<test>", None, None, &[("temporal", "__input", expr)]).map_err(|e| format!("static: {}", e.sources.render(&e.diagnostics)))?;
    let def = spec.lookup("__input").ok_or("lost")?;
    let mut chooser = RandomChooser::new(1);
    spec.eval_def(&spec.state0(), def, &mut chooser).map(|v| v.to_string()).map_err(|e| format!("runtime: {}", e.message))
}

#[test]
fn limits_are_data_and_errors_name_them() {
    let defaults = Limits::current();
    let mut small = defaults;
    assert!(small.set("int-bits", 100));
    assert!(small.set("set-elements", 10));
    assert!(small.set("nesting", 20));
    small.install();
    let got = eval("2 ^ 200");
    assert!(matches!(&got, Err(e) if e.contains("`int-bits` limit (100; raise it with --max-int-bits)")), "{got:?}");
    let got = eval("1.to(11).map(x => x)");
    assert!(matches!(&got, Err(e) if e.contains("`set-elements` limit (10; raise it with --max-set-elements)")), "{got:?}");
    assert_eq!(eval("1.to(10).size()"), Ok("10".into()));
    let got = eval(&format!("{}1{}", "(".repeat(30), ")".repeat(30)));
    assert!(matches!(&got, Err(e) if e.contains("`nesting` limit")), "{got:?}");
    // Raised again, the same expressions compute.
    defaults.install();
    assert_eq!(eval("(2 ^ 200) / (2 ^ 199)"), Ok("2".into()));
    assert_eq!(eval("1.to(11).map(x => x).size()"), Ok("11".into()));
}
