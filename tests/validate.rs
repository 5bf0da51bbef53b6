//! `spec validate`: a trace the simulator wrote (ITF with MBT fields) is consistent with the
//! spec; the same trace with one state changed is refused at that event; a malformed log is
//! an error (exit 2), never a crash.

use std::process::{Command, Output};

fn spec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spec")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().expect("spec runs")
}

#[test]
fn a_simulated_trace_validates_and_a_tampered_one_does_not() {
    let dir = std::env::temp_dir().join(format!("spec-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let good = dir.join("good.itf.json");
    let good_path = good.to_str().expect("utf-8");
    let out = spec(&["simulate", "examples/two_phase_commit.qnt", "--invariant", "agreement", "--max-samples", "5", "--mbt", "--out-itf", good_path, "--seed", "3"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = spec(&["validate", "examples/two_phase_commit.qnt", "--trace", good_path]);
    assert_eq!(out.status.code(), Some(0), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));

    let mut trace: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&good).expect("written")).expect("json");
    let states = trace["states"].as_array_mut().expect("states");
    assert!(states.len() > 3, "a trace of several steps");
    states[3]["votes"] = serde_json::json!({ "#set": ["nobody"] });
    let bad = dir.join("bad.itf.json");
    std::fs::write(&bad, trace.to_string()).expect("write");
    let out = spec(&["validate", "examples/two_phase_commit.qnt", "--trace", bad.to_str().expect("utf-8"), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(result["status"], "unexplained");
    assert_eq!(result["result"]["event"], 3);

    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{{{{").expect("write");
    let out = spec(&["validate", "examples/two_phase_commit.qnt", "--trace", broken.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
}
