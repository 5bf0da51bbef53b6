//! The server over its protocol, in process, against a hostile or hurried client: malformed
//! frames each get an error reply and the server keeps serving; `exit` ends the server
//! promptly even while a "Simulate" code lens is busy with a long simulation.
//!
//! The timeouts below only guard against a hang (they are far longer than the work needs);
//! no assertion depends on timing.

use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf};

const HANG_GUARD: Duration = Duration::from_secs(60);

struct Client {
    to_server: DuplexStream,
    from_server: BufReader<ReadHalf<DuplexStream>>,
    server: tokio::task::JoinHandle<spec_lsp::Ending>,
}

impl Client {
    async fn start() -> Client {
        Client::start_with(json!({})).await
    }

    /// A server initialized with these `initializationOptions`.
    async fn start_with(options: Value) -> Client {
        let (to_server, server_input) = tokio::io::duplex(1 << 20);
        let (server_output, from_server) = tokio::io::duplex(1 << 20);
        let server = tokio::spawn(spec_lsp::serve(server_input, server_output));
        let (from_server, _) = tokio::io::split(from_server);
        let mut client = Client { to_server, from_server: BufReader::new(from_server), server };
        client.send(&json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "processId": null, "rootUri": null, "capabilities": {}, "initializationOptions": options } })).await;
        client.response(1).await;
        client.send(&json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} })).await;
        client
    }

    async fn raw(&mut self, bytes: &[u8]) {
        self.to_server.write_all(bytes).await.expect("the server reads");
        self.to_server.flush().await.expect("the server reads");
    }

    async fn send_body(&mut self, body: &[u8]) {
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(body);
        self.raw(&frame).await;
    }

    async fn send(&mut self, msg: &Value) {
        self.send_body(msg.to_string().as_bytes()).await;
    }

    /// The next message from the server.
    async fn next(&mut self) -> Value {
        let read = async {
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                assert!(self.from_server.read_line(&mut line).await.expect("the server writes") > 0, "the server closed its output");
                let line = line.trim();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length: ") {
                    length = n.parse().expect("a numeric length");
                }
            }
            let mut body = vec![0u8; length];
            self.from_server.read_exact(&mut body).await.expect("a whole body");
            serde_json::from_slice::<Value>(&body).expect("the server writes JSON")
        };
        tokio::time::timeout(HANG_GUARD, read).await.expect("the server answers")
    }

    /// The response to request `id` (messages before it are skipped).
    async fn response(&mut self, id: i64) -> Value {
        loop {
            let msg = self.next().await;
            if msg.get("id") == Some(&json!(id)) && msg.get("method").is_none() {
                return msg;
            }
        }
    }

    /// The next error reply to a message without an id.
    async fn error_reply(&mut self) -> Value {
        loop {
            let msg = self.next().await;
            if msg.get("error").is_some() && msg["id"].is_null() {
                return msg;
            }
        }
    }

    /// A request that the server answers only while it is alive and serving.
    async fn still_serves(&mut self, id: i64) {
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": "workspace/symbol", "params": { "query": "" } })).await;
        let reply = self.response(id).await;
        assert!(reply.get("result").is_some(), "{reply}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frames_get_an_error_reply_and_the_server_goes_on() {
    let mut client = Client::start().await;

    client.send_body(b"{{{{{").await;
    let reply = client.error_reply().await;
    assert_eq!(reply["error"]["code"], -32700, "{reply}");
    client.still_serves(10).await;

    let nested = format!("{}{}", "[".repeat(200), "]".repeat(200));
    client.send_body(nested.as_bytes()).await;
    assert_eq!(client.error_reply().await["error"]["code"], -32700);
    client.still_serves(11).await;

    client.send_body(b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\xfe\"}").await;
    let reply = client.error_reply().await;
    assert!(reply["error"]["message"].as_str().unwrap_or("").contains("UTF-8"), "{reply}");
    client.still_serves(12).await;

    // A length that is not a number, then the message body it announced.
    client.raw(b"Content-Length: twelve\r\n\r\n{\"jsonrpc\":\"2.0\"}").await;
    let reply = client.error_reply().await;
    assert!(reply["error"]["message"].as_str().unwrap_or("").contains("Content-Length"), "{reply}");
    client.still_serves(13).await;

    // Bytes with no headers at all.
    client.raw(b"hello\r\n\r\n").await;
    client.error_reply().await;
    client.still_serves(14).await;

    // JSON that is no JSON-RPC message: an "invalid request" reply with its id.
    client.send(&json!({ "jsonrpc": "2.0", "id": 15, "method": 42 })).await;
    let reply = client.response(15).await;
    assert_eq!(reply["error"]["code"], -32600, "{reply}");
    client.still_serves(16).await;

    client.send(&json!({ "jsonrpc": "2.0", "id": 17, "method": "shutdown" })).await;
    client.response(17).await;
    client.send(&json!({ "jsonrpc": "2.0", "method": "exit" })).await;
    let ending = tokio::time::timeout(HANG_GUARD, client.server).await.expect("the server exits").expect("the server task ends");
    assert_eq!(ending, spec_lsp::Ending::Exit { after_shutdown: true });
}

/// A spec whose simulation takes minutes: every step folds over a large range.
const SLOW: &str = "module slow {\n  var x: int\n  action init = x' = 0\n  action step = x' = 1.to(200000).fold(x, (a, i) => a + i % 7)\n}\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_is_prompt_while_a_simulation_runs() {
    let mut client = Client::start().await;
    let uri = "file:///nonexistent/slow.qnt";
    client.send(&json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": { "uri": uri, "languageId": "quint", "version": 1, "text": SLOW } } })).await;
    client.send(&json!({ "jsonrpc": "2.0", "id": 2, "method": "workspace/executeCommand", "params": { "command": "spec.simulate", "arguments": [uri, "slow"] } })).await;
    // Answered after the command was taken up: the simulation is under way.
    client.still_serves(3).await;
    client.send(&json!({ "jsonrpc": "2.0", "method": "exit" })).await;
    let ending = tokio::time::timeout(HANG_GUARD, client.server).await.expect("the server exits while the simulation runs").expect("the server task ends");
    assert_eq!(ending, spec_lsp::Ending::Exit { after_shutdown: false });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_input_ends_the_server() {
    let client = Client::start().await;
    drop(client.to_server);
    let ending = tokio::time::timeout(HANG_GUARD, client.server).await.expect("the server ends").expect("the server task ends");
    assert_eq!(ending, spec_lsp::Ending::Closed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_lens_simulation_stops_at_its_time_budget() {
    let mut client = Client::start_with(json!({ "commandBudgetMs": 300 })).await;
    let uri = "file:///nonexistent/slow.qnt";
    client.send(&json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": { "uri": uri, "languageId": "quint", "version": 1, "text": SLOW } } })).await;
    client.send(&json!({ "jsonrpc": "2.0", "id": 2, "method": "workspace/executeCommand", "params": { "command": "spec.simulate", "arguments": [uri, "slow"] } })).await;
    let reply = client.response(2).await;
    let message = reply["result"].as_str().unwrap_or_default().to_string();
    assert!(message.starts_with("simulated") && message.contains("time budget of 300 ms"), "{reply}");
    client.still_serves(3).await;
}
