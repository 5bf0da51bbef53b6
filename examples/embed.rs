//! Embedding the interpreter in a Rust program: load a spec, run `init` and a few steps
//! with a seeded chooser, read the state, and check an invariant — the building blocks of
//! a model-based test driver.
//!
//!     cargo run --example embed

use spec_interpreter::{RandomChooser, Spec, Value};

fn main() -> Result<(), String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/counter.qnt");
    let spec = Spec::load_file(path, None).map_err(|e| e.message.unwrap_or_else(|| e.sources.render(&e.diagnostics)))?;
    let invariant = spec.lookup("bounded").ok_or("no invariant `bounded`")?;
    let mut chooser = RandomChooser::new(2024);

    let (mut state, _) = spec.run_action(&spec.state0(), "init", &mut chooser).map_err(|e| spec.render_error(&e))?.ok_or("init is disabled")?;
    for i in 1..=5 {
        match spec.run_action(&state, "step", &mut chooser).map_err(|e| spec.render_error(&e))? {
            Some((next, step)) => {
                state = next;
                let count = spec.var_value(&state, "count").map(Value::to_string).unwrap_or_default();
                let action = step.actions.first().map(|a| a.to_string()).unwrap_or_default();
                let holds = spec.eval_def(&state, invariant, &mut chooser).map_err(|e| spec.render_error(&e))?;
                println!("step {i}: {action:<10} count = {count:<3} bounded = {holds}");
            }
            None => {
                println!("step {i}: no action is enabled");
                break;
            }
        }
    }
    Ok(())
}
