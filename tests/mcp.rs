//! `spec mcp` through a scripted Model Context Protocol session over stdio: initialize,
//! list the tools, typecheck a broken spec (diagnostics with locations), simulate a buggy
//! example (a violation with its trace), validate an implementation's log (consistent, then
//! an unexplained event), and a time budget that stops a long run.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

struct Session {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    stdout: BufReader<std::process::ChildStdout>,
}

impl Session {
    fn start() -> Session {
        let mut child = Command::new(env!("CARGO_BIN_EXE_spec"))
            .arg("mcp")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Session { child, stdin, stdout }
    }

    fn send(&mut self, message: Value) {
        writeln!(self.stdin, "{message}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// Sends a request and returns the response with its id (skipping notifications).
    fn request(&mut self, id: u64, method: &str, params: Value) -> Value {
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let mut line = String::new();
            assert!(self.stdout.read_line(&mut line).unwrap() > 0, "the server closed the connection");
            let message: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
            if message["id"] == json!(id) {
                return message;
            }
        }
    }

    fn call(&mut self, id: u64, tool: &str, arguments: Value) -> Value {
        let response = self.request(id, "tools/call", json!({ "name": tool, "arguments": arguments }));
        assert!(response.get("error").is_none(), "{response}");
        response["result"].clone()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_scripted_mcp_session() {
    let mut s = Session::start();
    let init = s.request(1, "initialize", json!({
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": { "name": "test", "version": "0" },
    }));
    assert_eq!(init["result"]["serverInfo"]["name"], "spec", "{init}");
    assert!(init["result"]["capabilities"]["tools"].is_object(), "{init}");
    s.send(json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }));

    let tools = s.request(2, "tools/list", json!({}));
    let names: Vec<&str> = tools["result"]["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    for name in ["typecheck", "docs", "eval", "simulate", "check", "test", "validate"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }

    // A broken spec as text: diagnostics with locations.
    let broken = "module broken {\n  var x: int\n  action init = x' = \"a\"\n  action step = x' = x + y\n}\n";
    let result = s.call(3, "typecheck", json!({ "text": broken }));
    assert_eq!(result["isError"], true, "{result}");
    let doc = &result["structuredContent"];
    assert_eq!(doc["status"], "error", "{doc}");
    let diagnostics = doc["diagnostics"].as_array().unwrap();
    assert!(diagnostics.len() >= 2, "{doc}");
    assert!(diagnostics.iter().all(|d| d["location"]["line"].as_u64().is_some()), "{doc}");
    assert!(diagnostics.iter().any(|d| d["location"]["line"] == 4), "{doc}");
    assert_eq!(diagnostics[0]["location"]["file"], "<text>", "{doc}");

    // The declarations of a spec with their comments, even with type errors.
    let result = s.call(30, "docs", json!({ "text": "module m {\n  /// The count.\n  var count: int\n  val bad: int = \"a\"\n}" }));
    let doc = &result["structuredContent"];
    assert_eq!(doc["status"], "ok", "{doc}");
    assert_eq!(doc["modules"][0]["entries"][0]["signature"], "var count: int", "{doc}");
    assert_eq!(doc["modules"][0]["entries"][0]["doc"], "The count.", "{doc}");

    // A buggy example: a violation and its counterexample.
    let result = s.call(4, "simulate", json!({ "file": "examples/two_phase_commit.qnt", "main": "buggy_commit", "invariants": ["agreement"], "seed": 1 }));
    let doc = &result["structuredContent"];
    assert_eq!(doc["status"], "violation", "{doc}");
    assert_eq!(doc["violation"]["invariants"][0], "agreement");
    assert!(doc["violation"]["trace"]["states"].as_array().unwrap().len() > 1, "{doc}");

    // eval and check.
    let result = s.call(5, "eval", json!({ "expr": "Set(1, 2).size()" }));
    assert_eq!(result["structuredContent"]["value"], "2", "{result}");
    let result = s.call(6, "check", json!({ "file": "examples/counter.qnt", "invariants": ["neverFive"] }));
    assert_eq!(result["structuredContent"]["status"], "violation", "{result}");
    let result = s.call(7, "test", json!({ "file": "examples/counter.qnt" }));
    assert_eq!(result["structuredContent"]["passed"], 3, "{result}");

    // Trace validation of a log given as text (one JSON event per line): consistent, then
    // a log whose second event the spec cannot explain.
    let event = |action: &str, count: u64, resets: u64| json!({ "action": action, "state": { "count": { "#bigint": count.to_string() }, "resets": { "#bigint": resets.to_string() } } }).to_string();
    let good = [event("init", 0, 0), event("increment", 1, 0), event("increment", 2, 0), event("reset", 0, 1)].join("\n");
    let result = s.call(9, "validate", json!({ "file": "examples/counter.qnt", "trace_text": good }));
    assert_eq!(result["isError"], false, "{result}");
    assert_eq!(result["structuredContent"]["status"], "consistent", "{result}");
    assert_eq!(result["structuredContent"]["result"]["events"], 4, "{result}");
    let bad = [event("init", 0, 0), event("increment", 2, 0)].join("\n");
    let result = s.call(10, "validate", json!({ "file": "examples/counter.qnt", "trace_text": bad }));
    assert_eq!(result["structuredContent"]["status"], "unexplained", "{result}");
    assert_eq!(result["structuredContent"]["result"]["event"], 1, "{result}");
    assert_eq!(result["structuredContent"]["result"]["action"], "increment", "{result}");
    // A log that is not one, and a call without a log: errors, not crashes.
    let result = s.call(11, "validate", json!({ "file": "examples/counter.qnt", "trace_text": "{{{{" }));
    assert_eq!(result["isError"], true, "{result}");
    assert_eq!(result["structuredContent"]["status"], "error", "{result}");
    let result = s.call(12, "validate", json!({ "file": "examples/counter.qnt" }));
    assert_eq!(result["isError"], true, "{result}");
    assert!(result["structuredContent"]["diagnostics"][0]["message"].as_str().unwrap().contains("trace"), "{result}");

    // A time budget stops a long simulation with its summary so far.
    let started = std::time::Instant::now();
    let result = s.call(8, "simulate", json!({ "file": "examples/counter.qnt", "invariants": ["bounded"], "max_samples": 1_000_000_000u64, "timeout_seconds": 1.0 }));
    assert!(started.elapsed().as_secs_f64() < 10.0);
    assert_eq!(result["structuredContent"]["status"], "interrupted", "{result}");
    assert!(result["structuredContent"]["samples"].as_u64().unwrap() > 0, "{result}");
}
