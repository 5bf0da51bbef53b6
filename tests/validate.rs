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

/// `spec` reads Quint's traces: ITF files written by Quint 0.33 (`quint run --mbt --seed 7
/// --max-steps 12 --backend typescript`, in `tests/fixtures/quint_itf/`) are behaviours of the
/// same specs. They name variables by module path (`bank::banking::balance`, an instance),
/// name each step after the first action its branch called, and write "" when a branch called
/// none; a changed value is rejected at its event.
#[test]
fn traces_that_quint_wrote_validate() {
    for example in ["bank", "raft_election", "two_phase_commit"] {
        let spec_file = format!("examples/{example}.qnt");
        let trace = format!("tests/fixtures/quint_itf/{example}.itf.json");
        let out = spec(&["validate", &spec_file, "--trace", &trace]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{example}: {stdout}{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.starts_with("[ok] the log is consistent"), "{stdout}");
    }
    // The same bank trace with one balance changed in state 3.
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/quint_itf/bank.itf.json")).expect("the fixture");
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let balance = &mut json["states"][3]["bank::banking::balance"]["#map"][0][1]["#bigint"];
    let changed = (balance.as_str().unwrap_or("0").parse::<i64>().unwrap_or(0) + 1).to_string();
    *balance = serde_json::Value::String(changed);
    let dir = std::env::temp_dir().join(format!("spec-validate-quint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let tampered = dir.join("bank.itf.json");
    std::fs::write(&tampered, json.to_string()).expect("written");
    let out = spec(&["validate", "examples/bank.qnt", "--trace", tampered.to_str().unwrap_or_default()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("event 3 is not allowed"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}
