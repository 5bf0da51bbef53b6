//! The language server, driven over its protocol (stdio) as an editor would: diagnostics
//! after open and after a fixing edit, hover, definition across files, references, rename,
//! completion after `.`, the outline, and a storm of random edits that never crashes it.
//! Across files: references and rename started in an imported file reach its importers,
//! an edit of an open imported file re-publishes the importer's diagnostics, and hover
//! answers for the name under the cursor only (record fields included).

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    /// Notifications seen while waiting for responses.
    notifications: Vec<Value>,
}

impl Client {
    fn start() -> Client {
        Client::start_in(&fixtures())
    }

    /// A server started with `root` as its workspace folder.
    fn start_in(root: &std::path::Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_spec")).arg("lsp").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("spec lsp starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0u8; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                if let Ok(v) = serde_json::from_slice(&body) {
                    if tx.send(v).is_err() {
                        return;
                    }
                }
            }
        });
        let mut client = Client { child, stdin, messages: rx, next_id: 1, notifications: Vec::new() };
        let root = uri(root);
        client.request("initialize", json!({ "processId": null, "rootUri": root, "workspaceFolders": [{ "uri": root, "name": "root" }], "capabilities": {} }));
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let msg = self.messages.recv_timeout(Duration::from_secs(30)).expect("the server answers");
            if msg.get("id") == Some(&json!(id)) && msg.get("method").is_none() {
                return msg;
            }
            self.notifications.push(msg);
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics_for(&mut self, uri: &str) -> Vec<Value> {
        if let Some(pos) = self.notifications.iter().position(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri) {
            return self.notifications.remove(pos)["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
        }
        loop {
            let msg = self.messages.recv_timeout(Duration::from_secs(30)).expect("diagnostics are published");
            if msg["method"] == "textDocument/publishDiagnostics" && msg["params"]["uri"] == uri {
                return msg["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
            }
        }
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify("textDocument/didOpen", json!({ "textDocument": { "uri": uri, "languageId": "quint", "version": 1, "text": text } }));
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify("textDocument/didChange", json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }));
    }

    fn at(&mut self, method: &str, uri: &str, line: u32, character: u32, extra: Value) -> Value {
        let mut params = json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });
        if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                p.insert(k.clone(), v.clone());
            }
        }
        self.request(method, params)["result"].clone()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lsp")
}

fn uri(path: &std::path::Path) -> String {
    format!("file://{}", path.canonicalize().unwrap().display())
}

fn main_file() -> (String, String) {
    let path = fixtures().join("main.qnt");
    (uri(&path), std::fs::read_to_string(&path).unwrap())
}

#[test]
fn diagnostics_after_open_and_after_a_fixing_edit() {
    let mut c = Client::start();
    let (uri, text) = main_file();
    let broken = text.replace("count > 0", "count > \"zero\"");
    c.open(&uri, &broken);
    let d = c.diagnostics_for(&uri);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "T001");
    assert_eq!(d[0]["range"]["start"]["line"], 7);
    c.change(&uri, 2, &text);
    let d = c.diagnostics_for(&uri);
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn hover_shows_type_mode_and_doc() {
    let mut c = Client::start();
    let (uri, text) = main_file();
    c.open(&uri, &text);
    // `inc` in `count' = inc(0)` on line 5.
    let col = text.lines().nth(5).unwrap().find("inc").unwrap() as u32;
    let h = c.at("textDocument/hover", &uri, 5, col + 1, json!({}));
    let value = h["contents"]["value"].as_str().unwrap();
    assert!(value.contains("pure def inc: (int) => int"), "{value}");
    assert!(value.contains("Adds one."), "{value}");
    let col = text.lines().nth(7).unwrap().find("count").unwrap() as u32;
    let h = c.at("textDocument/hover", &uri, 7, col, json!({}));
    assert!(h["contents"]["value"].as_str().unwrap().contains("var count: int"));
}

#[test]
fn definition_across_files_and_references() {
    let mut c = Client::start();
    let (uri, text) = main_file();
    c.open(&uri, &text);
    let col = text.lines().nth(6).unwrap().find("inc").unwrap() as u32;
    let def = c.at("textDocument/definition", &uri, 6, col, json!({}));
    assert!(def["uri"].as_str().unwrap().ends_with("lib.qnt"), "{def}");
    assert_eq!(def["range"]["start"]["line"], 2);
    let refs = c.at("textDocument/references", &uri, 6, col, json!({ "context": { "includeDeclaration": true } }));
    let refs = refs.as_array().unwrap();
    assert_eq!(refs.len(), 3, "the definition and two uses: {refs:?}");
    let col = text.lines().nth(2).unwrap().find("count").unwrap() as u32;
    let refs = c.at("textDocument/references", &uri, 2, col, json!({ "context": { "includeDeclaration": true } }));
    assert_eq!(refs.as_array().unwrap().len(), 5, "{refs}");
}

#[test]
fn rename_changes_every_use_and_refuses_clashes() {
    let mut c = Client::start();
    let (uri, text) = main_file();
    c.open(&uri, &text);
    let col = text.lines().nth(2).unwrap().find("count").unwrap() as u32;
    let edit = c.at("textDocument/rename", &uri, 2, col, json!({ "newName": "total" }));
    let edits = edit["changes"][&uri].as_array().unwrap();
    assert_eq!(edits.len(), 5);
    assert!(edits.iter().all(|e| e["newText"] == "total"));
    let clash = c.request("textDocument/rename", json!({ "textDocument": { "uri": uri }, "position": { "line": 2, "character": col }, "newName": "point" }));
    assert!(clash.get("error").is_some(), "{clash}");
}

#[test]
fn completion_after_a_dot_on_a_record_and_on_a_set() {
    let mut c = Client::start();
    let (uri, text) = main_file();
    let edited = text.replace("val positive = count > 0", "val positive = point.");
    c.open(&uri, &edited);
    let line = edited.lines().position(|l| l.contains("point.")).unwrap() as u32;
    let col = edited.lines().nth(line as usize).unwrap().find("point.").unwrap() as u32 + 6;
    let items = c.at("textDocument/completion", &uri, line, col, json!({}));
    let labels: Vec<&str> = items.as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"x") && labels.contains(&"y"), "{labels:?}");
    assert!(!labels.contains(&"map"), "record fields, not set methods: {labels:?}");

    let edited = text.replace("val positive = count > 0", "val positive = numbers.");
    c.change(&uri, 2, &edited);
    let col = edited.lines().nth(line as usize).unwrap().find("numbers.").unwrap() as u32 + 8;
    let items = c.at("textDocument/completion", &uri, line, col, json!({}));
    let labels: Vec<&str> = items.as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"map") && labels.contains(&"filter") && labels.contains(&"size"), "{labels:?}");
    assert!(!labels.contains(&"head"), "no list methods on a set: {labels:?}");

    // Without a dot: names in scope, keywords and snippets.
    let items = c.at("textDocument/completion", &uri, 7, 4, json!({}));
    let labels: Vec<&str> = items.as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"count") && labels.contains(&"inc") && labels.contains(&"action"), "{labels:?}");
}

#[test]
fn document_symbols_outline_the_modules() {
    let mut c = Client::start();
    let (uri, text) = main_file();
    c.open(&uri, &text);
    let symbols = c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }))["result"].clone();
    let module = &symbols[0];
    assert_eq!(module["name"], "main");
    let names: Vec<&str> = module["children"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["count", "point", "numbers", "init", "step", "positive"]);
}

#[test]
fn two_hundred_random_edits_never_crash_the_server() {
    let mut c = Client::start();
    let (uri, text) = main_file();
    c.open(&uri, &text);
    let pieces = ["(", ")", "{", "}", ".", "'", "=", "x", "match", "|", "val", "\"", "Set(", "1", ",", " ", "\n", "=>", "all {", "::"];
    let mut current: Vec<char> = text.chars().collect();
    let mut seed: u64 = 12345;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for version in 2..202 {
        let at = (next() as usize) % (current.len() + 1);
        if next() % 3 == 0 && !current.is_empty() {
            let end = (at + (next() as usize % 5)).min(current.len());
            current.drain(at.min(end)..end);
        } else {
            let piece = pieces[(next() as usize) % pieces.len()];
            for (i, ch) in piece.chars().enumerate() {
                current.insert((at + i).min(current.len()), ch);
            }
        }
        let text: String = current.iter().collect();
        c.change(&uri, version, &text);
        let lines = text.lines().count().max(1) as u32;
        let line = (next() as u32) % lines;
        let character = (next() as u32) % 40;
        let hover = c.request("textDocument/hover", json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }));
        assert!(hover.get("error").is_none(), "hover failed: {hover}");
        let completion = c.request("textDocument/completion", json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }));
        assert!(completion.get("error").is_none(), "completion failed: {completion}");
    }
    // Still alive and correct after the storm.
    c.change(&uri, 1000, &text);
    let d = c.diagnostics_for(&uri);
    let _ = d;
    let symbols = c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(symbols["result"][0]["name"], "main");
}

#[test]
fn semantic_tokens_signature_help_inlay_hints() {
    let mut c = Client::start();
    let (uri, text) = main_file();
    c.open(&uri, &text);
    let tokens = c.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": uri } }))["result"]["data"].clone();
    let data = tokens.as_array().unwrap();
    assert!(data.len() >= 5 * 10, "many tokens: {}", data.len());
    assert_eq!(data.len() % 5, 0);
    // The first token is the `module` keyword (type 0) at 0:0, six characters long.
    assert_eq!(&data[..5], &[json!(0), json!(0), json!(6), json!(0), json!(0)]);

    // Signature help inside `inc(` on line 6.
    let col = text.lines().nth(6).unwrap().find("inc(").unwrap() as u32 + 4;
    let help = c.at("textDocument/signatureHelp", &uri, 6, col, json!({}));
    assert_eq!(help["signatures"][0]["label"], "inc(int): int");
    assert_eq!(help["activeParameter"], 0);

    // Inlay hints for definitions without a declared type.
    let hints = c.request("textDocument/inlayHint", json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 20, "character": 0 } } }))["result"].clone();
    let labels: Vec<&str> = hints.as_array().unwrap().iter().map(|h| h["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&": { x: int, y: int }"), "{labels:?}");
    assert!(labels.contains(&": Set[int]"), "{labels:?}");
    assert!(labels.contains(&": bool"), "{labels:?}");
}

#[test]
fn hover_shows_the_value_of_a_pure_val() {
    let mut c = Client::start();
    let (uri, text) = main_file();
    c.open(&uri, &text);
    let col = text.lines().nth(4).unwrap().find("numbers").unwrap() as u32;
    let h = c.at("textDocument/hover", &uri, 4, col, json!({}));
    assert!(h["contents"]["value"].as_str().unwrap().contains("value: `Set(1, 2, 3)`"), "{h}");
}

#[test]
fn code_lenses_run_tests_and_simulations_in_the_background() {
    let mut c = Client::start();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/counter.qnt");
    let uri = uri(&path);
    c.open(&uri, &std::fs::read_to_string(&path).unwrap());
    let lenses = c.request("textDocument/codeLens", json!({ "textDocument": { "uri": uri } }))["result"].clone();
    let lenses = lenses.as_array().unwrap();
    let titles: Vec<&str> = lenses.iter().map(|l| l["command"]["title"].as_str().unwrap()).collect();
    assert_eq!(titles.iter().filter(|t| t.contains("Run test")).count(), 3, "{titles:?}");
    assert_eq!(titles.iter().filter(|t| t.contains("Simulate")).count(), 1, "{titles:?}");
    let run = lenses.iter().find(|l| l["command"]["title"].as_str().unwrap().contains("Run test")).unwrap();
    let result = c.request("workspace/executeCommand", json!({ "command": run["command"]["command"], "arguments": run["command"]["arguments"] }));
    assert!(result["result"].as_str().unwrap().contains("passed"), "{result}");
    let sim = lenses.iter().find(|l| l["command"]["title"].as_str().unwrap().contains("Simulate")).unwrap();
    let result = c.request("workspace/executeCommand", json!({ "command": sim["command"]["command"], "arguments": sim["command"]["arguments"] }));
    assert!(result["result"].as_str().unwrap().contains("simulated 1000 samples"), "{result}");
}

#[test]
fn workspace_symbols_find_definitions() {
    let mut c = Client::start();
    let (uri, text) = main_file();
    c.open(&uri, &text);
    let found = c.request("workspace/symbol", json!({ "query": "ste" }))["result"].clone();
    let names: Vec<&str> = found.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["step"]);
}

// ------------------------------------------------------------------ across files (issue 16)

/// A workspace in a fresh temporary folder: `lib.qnt` declares a variable, an operator and
/// a record; `main.qnt` imports it and uses them.
struct Workspace {
    dir: PathBuf,
}

const WS_LIB: &str = "module lib {\n  pure def double(n: int): int = n * 2\n  pure val acct = { balance: 10, owner: \"ann\" }\n}\n";
const WS_MAIN: &str = "module main {\n  import lib.* from \"./lib\"\n  var x: int\n  action init = x' = double(1)\n  action step = x' = double(x) + acct.balance\n}\n";

impl Workspace {
    fn new(name: &str) -> Workspace {
        let dir = std::env::temp_dir().join(format!("spec-lsp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("lib.qnt"), WS_LIB).unwrap();
        std::fs::write(dir.join("main.qnt"), WS_MAIN).unwrap();
        Workspace { dir }
    }

    fn uri(&self, file: &str) -> String {
        uri(&self.dir.join(file))
    }

    /// A server whose workspace folder is this one.
    fn client(&self) -> Client {
        Client::start_in(&self.dir)
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn line_col(text: &str, needle: &str) -> (u32, u32) {
    let at = text.find(needle).unwrap();
    let line = text[..at].matches('\n').count() as u32;
    let col = (at - text[..at].rfind('\n').map(|i| i + 1).unwrap_or(0)) as u32;
    (line, col)
}

#[test]
fn references_and_rename_started_in_an_imported_file_reach_the_importer() {
    let ws = Workspace::new("refs");
    let mut c = ws.client();
    let (lib, main) = (ws.uri("lib.qnt"), ws.uri("main.qnt"));
    // Only the library is open: the importer is found among the workspace's files.
    c.open(&lib, WS_LIB);
    let _ = c.diagnostics_for(&lib);
    let (line, col) = line_col(WS_LIB, "double");
    let refs = c.at("textDocument/references", &lib, line, col + 1, json!({ "context": { "includeDeclaration": true } }));
    let refs = refs.as_array().unwrap();
    let in_main = refs.iter().filter(|r| r["uri"] == main).count();
    let in_lib = refs.iter().filter(|r| r["uri"] == lib).count();
    assert_eq!((in_lib, in_main), (1, 2), "the declaration and the two uses in main.qnt: {refs:?}");

    let edit = c.at("textDocument/rename", &lib, line, col + 1, json!({ "newName": "twice" }));
    let main_edits = edit["changes"][&main].as_array().unwrap();
    assert_eq!(main_edits.len(), 2, "{edit}");
    assert_eq!(edit["changes"][&lib].as_array().unwrap().len(), 1, "{edit}");
    // Applying the edit leaves both files without errors.
    let apply = |text: &str, edits: &[Value]| {
        let mut text = text.to_string();
        let mut spans: Vec<(usize, usize)> = edits
            .iter()
            .map(|e| {
                // ASCII text: a column is a byte.
                let at = |p: &Value| {
                    let line = p["line"].as_u64().unwrap() as usize;
                    let start: usize = text.split_inclusive('\n').take(line).map(|l| l.len()).sum();
                    start + p["character"].as_u64().unwrap() as usize
                };
                (at(&e["range"]["start"]), at(&e["range"]["end"]))
            })
            .collect();
        spans.sort();
        for (s, e) in spans.into_iter().rev() {
            text.replace_range(s..e, "twice");
        }
        text
    };
    let new_lib = apply(WS_LIB, edit["changes"][&lib].as_array().unwrap());
    let new_main = apply(WS_MAIN, main_edits);
    c.change(&lib, 2, &new_lib);
    let _ = c.diagnostics_for(&lib);
    c.open(&main, &new_main);
    let d = c.diagnostics_for(&main);
    assert!(d.is_empty(), "{d:?}\n{new_main}");

    // Started in the importer, the rename reaches the library too.
    let (line, col) = line_col(&new_main, "twice(x)");
    let edit = c.at("textDocument/rename", &main, line, col, json!({ "newName": "dbl" }));
    assert_eq!(edit["changes"][&lib].as_array().map(|a| a.len()), Some(1), "{edit}");
    assert_eq!(edit["changes"][&main].as_array().map(|a| a.len()), Some(2), "{edit}");
}

#[test]
fn editing_an_open_imported_file_republishes_the_importers_diagnostics() {
    let ws = Workspace::new("republish");
    let mut c = ws.client();
    let (lib, main) = (ws.uri("lib.qnt"), ws.uri("main.qnt"));
    c.open(&main, WS_MAIN);
    assert!(c.diagnostics_for(&main).is_empty());
    c.open(&lib, WS_LIB);
    let _ = c.diagnostics_for(&lib);
    // Opening the library checks its importer again (same text: still no errors).
    assert!(c.diagnostics_for(&main).is_empty());
    // The unsaved buffer of lib.qnt (not the disk) is what main.qnt now imports.
    c.change(&lib, 2, &WS_LIB.replace("double", "triple"));
    let d = c.diagnostics_for(&main);
    assert!(!d.is_empty() && d.iter().any(|x| x["message"].as_str().unwrap().contains("double")), "{d:?}");
    c.change(&lib, 3, WS_LIB);
    let d = c.diagnostics_for(&main);
    assert!(d.is_empty(), "{d:?}");
}

/// Three files changed back to back (a rename applied by the editor): every newer change
/// cancels the analysis of the one before, and the last analysis must still publish the
/// importer's diagnostics for its new text (they were left stale, as Emacs showed).
#[test]
fn changes_back_to_back_publish_every_changed_file() {
    let ws = Workspace::new("burst");
    let mut c = ws.client();
    let (lib, main) = (ws.uri("lib.qnt"), ws.uri("main.qnt"));
    c.open(&lib, WS_LIB);
    c.open(&main, WS_MAIN);
    let _ = c.diagnostics_for(&lib);
    assert!(c.diagnostics_for(&main).is_empty());
    std::fs::write(ws.dir.join("scratch.qnt"), "module scratch { val s = 1 }").unwrap();
    let scratch = ws.uri("scratch.qnt");
    c.open(&scratch, "module scratch { val s = 1 }");
    let _ = c.diagnostics_for(&scratch);
    // Rename `double` everywhere at once, then touch an unrelated file.
    c.change(&lib, 2, &WS_LIB.replace("double", "twice"));
    c.change(&main, 2, &WS_MAIN.replace("double", "twice"));
    c.change(&scratch, 2, "module scratch { val s = 2 }");
    // main.qnt's last published diagnostics must be those of its new text: no error.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut last = None;
    while std::time::Instant::now() < deadline {
        match c.messages.recv_timeout(Duration::from_millis(1500)) {
            Ok(msg) if msg["method"] == "textDocument/publishDiagnostics" && msg["params"]["uri"] == main => last = Some(msg["params"]["diagnostics"].clone()),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    let last = last.expect("main.qnt is published again after its change");
    assert_eq!(last, json!([]), "main.qnt's diagnostics are for its new text");
}

#[test]
fn hover_answers_for_the_name_under_the_cursor_only() {
    let ws = Workspace::new("hover");
    let mut c = ws.client();
    let main = ws.uri("main.qnt");
    let text = WS_MAIN.replace("action step = x' = double(x) + acct.balance", "action step = x' = x + stepSize");
    c.open(&main, &text);
    let _ = c.diagnostics_for(&main);
    let (line, col) = line_col(&text, "stepSize");
    let h = c.at("textDocument/hover", &main, line, col + 2, json!({}));
    let shown = h["contents"]["value"].as_str().unwrap_or("");
    assert!(h.is_null() || shown.contains("unknown"), "an unknown name shows nothing: {h}");
    assert!(!shown.contains("var x"), "{h}");
    let def = c.at("textDocument/definition", &main, line, col + 2, json!({}));
    assert!(def.is_null(), "no definition for an unknown name: {def}");
    // The assigned variable itself still answers.
    let (line, col) = line_col(&text, "x' = x + stepSize");
    let h = c.at("textDocument/hover", &main, line, col, json!({}));
    assert!(h["contents"]["value"].as_str().unwrap().contains("var x: int"), "{h}");
}

#[test]
fn hover_on_a_record_field_gives_its_type() {
    let ws = Workspace::new("field");
    let mut c = ws.client();
    let main = ws.uri("main.qnt");
    c.open(&main, WS_MAIN);
    let _ = c.diagnostics_for(&main);
    let (line, col) = line_col(WS_MAIN, "balance");
    let h = c.at("textDocument/hover", &main, line, col + 3, json!({}));
    let shown = h["contents"]["value"].as_str().unwrap_or("");
    assert!(shown.contains("balance: int"), "{h}");
    // The record itself is a definition of the library.
    let (line, col) = line_col(WS_MAIN, "acct");
    let h = c.at("textDocument/hover", &main, line, col + 1, json!({}));
    assert!(h["contents"]["value"].as_str().unwrap().contains("pure val acct"), "{h}");
}

/// The process itself (issue #13): a malformed frame gets an error reply and the server goes
/// on; `shutdown` then `exit` end it with status 0, promptly, while a "Simulate" code lens
/// is still busy with a simulation that would take minutes.
#[test]
fn the_process_survives_bad_frames_and_exits_promptly_during_a_simulation() {
    let mut c = Client::start();
    write!(c.stdin, "Content-Length: 5\r\n\r\n{{{{{{{{{{").unwrap();
    c.stdin.flush().unwrap();
    let reply = loop {
        let msg = c.messages.recv_timeout(Duration::from_secs(30)).expect("an error reply");
        if msg.get("error").is_some() {
            break msg;
        }
    };
    assert_eq!(reply["error"]["code"], -32700, "{reply}");
    let dir = std::env::temp_dir().join(format!("spec-lsp-exit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("slow.qnt");
    let slow = "module slow {\n  var x: int\n  action init = x' = 0\n  action step = x' = 1.to(200000).fold(x, (a, i) => a + i % 7)\n}\n";
    std::fs::write(&path, slow).unwrap();
    let uri = uri(&path);
    c.open(&uri, slow);
    c.send(json!({ "jsonrpc": "2.0", "id": 900, "method": "workspace/executeCommand", "params": { "command": "spec.simulate", "arguments": [uri, "slow"] } }));
    // Answered after the command was taken up.
    let symbols = c.request("workspace/symbol", json!({ "query": "step" }));
    assert!(symbols.get("result").is_some(), "{symbols}");
    c.send(json!({ "jsonrpc": "2.0", "id": 901, "method": "shutdown" }));
    let shutdown = loop {
        let msg = c.messages.recv_timeout(Duration::from_secs(30)).expect("shutdown is answered");
        if msg.get("id") == Some(&json!(901)) {
            break msg;
        }
    };
    assert!(shutdown.get("error").is_none(), "{shutdown}");
    c.send(json!({ "jsonrpc": "2.0", "method": "exit" }));
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = c.child.try_wait().unwrap() {
            break status;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "the server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}
