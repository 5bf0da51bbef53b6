//! `spec mcp`: a Model Context Protocol server over stdin and stdout (the official SDK,
//! `rmcp`), for coding agents, with the tools typecheck, docs, eval, simulate, check, test and
//! validate. Each tool runs this same program's command with `--json` in a child process, so
//! a tool's structured result is exactly that command's JSON document (docs/json.md), a time
//! budget can stop a run (SIGTERM: a simulation stops with its summary so far) and a crash
//! cannot take the server down. Spec text (instead of a file) is written to a temporary file
//! whose name is shown as `<text>` in the results; so is a log given as text to `validate`.

use crate::report;
use rmcp::handler::server::{router::tool::ToolRouter, wrapper::Parameters};
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{tool, tool_handler, tool_router, ServerHandler, ServiceExt};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value as Json};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The default time budget of a tool call, in seconds.
const DEFAULT_BUDGET: f64 = 60.0;

/// Where the spec is: a file, or its text.
#[derive(Deserialize, JsonSchema, Default)]
pub struct Source {
    /// Path of a .qnt file (relative to the server's working directory).
    pub file: Option<String>,
    /// The spec's text itself (instead of `file`).
    pub text: Option<String>,
    /// The main module (default: the one named after the file, else the last).
    pub main: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
pub struct TypecheckParams {
    #[serde(flatten)]
    pub source: Source,
}

#[derive(Deserialize, JsonSchema)]
pub struct DocsParams {
    /// Path of a .qnt file (relative to the server's working directory).
    pub file: Option<String>,
    /// The spec's text itself (instead of `file`).
    pub text: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
pub struct EvalParams {
    /// The expression to evaluate.
    pub expr: String,
    /// Optional spec whose definitions the expression may use.
    #[serde(flatten)]
    pub source: Source,
    /// Seed for nondeterministic choices.
    pub seed: Option<u64>,
    /// Time budget in seconds (default 60).
    pub timeout_seconds: Option<f64>,
}

#[derive(Deserialize, JsonSchema)]
pub struct RunParams {
    #[serde(flatten)]
    pub source: Source,
    /// The initial action (default `init`).
    pub init: Option<String>,
    /// The step action (default `step`).
    pub step: Option<String>,
    /// Invariants: definition names or Boolean expressions.
    #[serde(default)]
    pub invariants: Vec<String>,
    /// simulate: steps per execution (default 20); check: the depth bound (default none).
    pub max_steps: Option<u64>,
    /// simulate: the number of executions (default 10000).
    pub max_samples: Option<u64>,
    /// check: stop after this many distinct states.
    pub max_states: Option<u64>,
    /// simulate: the random seed (default: random, reported in the result).
    pub seed: Option<u64>,
    /// Time budget in seconds (default 60): a simulation stops with its summary so far
    /// (status "interrupted"), a check reports how far it got (status "bounded").
    pub timeout_seconds: Option<f64>,
}

#[derive(Deserialize, JsonSchema)]
pub struct TestParams {
    #[serde(flatten)]
    pub source: Source,
    /// A regular expression over test names (default: names ending in `Test`).
    #[serde(rename = "match")]
    pub pattern: Option<String>,
    /// Runs of each test (default 10000).
    pub max_samples: Option<u64>,
    /// The random seed.
    pub seed: Option<u64>,
    /// Time budget in seconds (default 60).
    pub timeout_seconds: Option<f64>,
}

#[derive(Deserialize, JsonSchema)]
pub struct ValidateParams {
    #[serde(flatten)]
    pub source: Source,
    /// The initial action (default `init`).
    pub init: Option<String>,
    /// The step action (default `step`).
    pub step: Option<String>,
    /// Path of the implementation's log: an ITF trace with `mbt::actionTaken` and
    /// `mbt::nondetPicks`, or one JSON event per line.
    pub trace: Option<String>,
    /// The log itself (instead of `trace`), in either format.
    pub trace_text: Option<String>,
    /// Time budget in seconds (default 60).
    pub timeout_seconds: Option<f64>,
}

#[derive(Clone)]
pub struct SpecServer {
    tool_router: ToolRouter<Self>,
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for SpecServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("spec", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Tools for specifications in the Quint language. Give a spec as `file` (a path) or `text`. \
                 Each result is the JSON document of the matching `spec` command (see docs/json.md): `status`, \
                 `diagnostics` with locations, and per tool a value, a verdict, a counterexample trace in ITF.",
            )
    }
}

#[tool_router(router = tool_router)]
impl SpecServer {
    pub fn new() -> Self {
        Self { tool_router: Self::tool_router() }
    }

    /// Names, types and modes of a spec: diagnostics with locations, and each definition's type.
    #[tool(name = "typecheck")]
    async fn typecheck(&self, Parameters(p): Parameters<TypecheckParams>) -> CallToolResult {
        let mut args = vec!["typecheck".to_string()];
        run_tool(&p.source, &mut args, Some(0), DEFAULT_BUDGET, |args, file| {
            args.push(file.to_string());
        })
        .await
    }

    /// The declarations of each module of a spec, with their signatures as written and their `///` comments (syntax only: works on a spec with type errors).
    #[tool(name = "docs")]
    async fn docs(&self, Parameters(p): Parameters<DocsParams>) -> CallToolResult {
        let mut args = vec!["docs".to_string()];
        let source = Source { file: p.file, text: p.text, main: None };
        run_tool(&source, &mut args, Some(0), DEFAULT_BUDGET, |args, file| {
            args.push(file.to_string());
        })
        .await
    }

    /// Evaluates an expression (optionally over a spec's definitions): its value in canonical form and in ITF.
    #[tool(name = "eval")]
    async fn eval(&self, Parameters(p): Parameters<EvalParams>) -> CallToolResult {
        let mut args = vec!["eval".to_string(), p.expr.clone()];
        if let Some(seed) = p.seed {
            args.extend(["--seed".to_string(), seed.to_string()]);
        }
        let has_spec = p.source.file.is_some() || p.source.text.is_some();
        run_tool(&p.source, &mut args, has_spec.then_some(0), p.timeout_seconds.unwrap_or(DEFAULT_BUDGET), |args, file| {
            args.extend(["--file".to_string(), file.to_string()]);
        })
        .await
    }

    /// Random executions checking invariants in every state: a verdict, the shortest violation found as an ITF trace, statistics and the seed.
    #[tool(name = "simulate")]
    async fn simulate(&self, Parameters(p): Parameters<RunParams>) -> CallToolResult {
        let mut args = vec!["simulate".to_string()];
        run_args(&p, &mut args);
        if let Some(n) = p.max_steps {
            args.extend(["--max-steps".to_string(), n.to_string()]);
        }
        if let Some(n) = p.max_samples {
            args.extend(["--max-samples".to_string(), n.to_string()]);
        }
        if let Some(seed) = p.seed {
            args.extend(["--seed".to_string(), seed.to_string()]);
        }
        run_tool(&p.source, &mut args, Some(0), p.timeout_seconds.unwrap_or(DEFAULT_BUDGET), |args, file| {
            args.insert(1, file.to_string());
        })
        .await
    }

    /// Exhaustive model checking (breadth-first): a verdict, a shortest counterexample as an ITF trace, state counts.
    #[tool(name = "check")]
    async fn check(&self, Parameters(p): Parameters<RunParams>) -> CallToolResult {
        let budget = p.timeout_seconds.unwrap_or(DEFAULT_BUDGET);
        let mut args = vec!["check".to_string()];
        run_args(&p, &mut args);
        if let Some(n) = p.max_steps {
            args.extend(["--max-depth".to_string(), n.to_string()]);
        }
        if let Some(n) = p.max_states {
            args.extend(["--max-states".to_string(), n.to_string()]);
        }
        args.extend(["--max-seconds".to_string(), budget.to_string()]);
        run_tool(&p.source, &mut args, Some(0), budget + 5.0, |args, file| {
            args.insert(1, file.to_string());
        })
        .await
    }

    /// Runs a spec's `run` tests: each test passed or failed, with the failing place and the seed.
    #[tool(name = "test")]
    async fn test(&self, Parameters(p): Parameters<TestParams>) -> CallToolResult {
        let mut args = vec!["test".to_string()];
        if let Some(m) = &p.source.main {
            args.extend(["--main".to_string(), m.clone()]);
        }
        if let Some(pattern) = &p.pattern {
            args.extend(["--match".to_string(), pattern.clone()]);
        }
        if let Some(n) = p.max_samples {
            args.extend(["--max-samples".to_string(), n.to_string()]);
        }
        if let Some(seed) = p.seed {
            args.extend(["--seed".to_string(), seed.to_string()]);
        }
        run_tool(&p.source, &mut args, Some(0), p.timeout_seconds.unwrap_or(DEFAULT_BUDGET), |args, file| {
            args.insert(1, file.to_string());
        })
        .await
    }

    /// Trace validation: is an implementation's log (ITF, or one JSON event per line with `action`, `picks`, `state`) a behaviour of the spec? `consistent`, or the first event no behaviour explains.
    #[tool(name = "validate")]
    async fn validate(&self, Parameters(p): Parameters<ValidateParams>) -> CallToolResult {
        let mut args = vec!["validate".to_string()];
        for (flag, value) in [("--init", &p.init), ("--step", &p.step)] {
            if let Some(v) = value {
                args.extend([flag.to_string(), v.clone()]);
            }
        }
        let _log = match (&p.trace, &p.trace_text) {
            (Some(_), Some(_)) => return failure("give either `trace` or `trace_text`, not both"),
            (None, None) => return failure("give the log as `trace` (a path) or as `trace_text`"),
            (Some(path), None) => {
                args.extend(["--trace".to_string(), path.clone()]);
                None
            }
            (None, Some(text)) => match TempFile::write("log", text) {
                Ok(file) => {
                    args.extend(["--trace".to_string(), file.0.to_string_lossy().into_owned()]);
                    Some(file)
                }
                Err(message) => return failure(&message),
            },
        };
        run_tool(&p.source, &mut args, Some(0), p.timeout_seconds.unwrap_or(DEFAULT_BUDGET), |args, file| {
            args.insert(1, file.to_string());
        })
        .await
    }
}

impl Default for SpecServer {
    fn default() -> Self {
        Self::new()
    }
}

fn run_args(p: &RunParams, args: &mut Vec<String>) {
    if let Some(m) = &p.source.main {
        args.extend(["--main".to_string(), m.clone()]);
    }
    if let Some(init) = &p.init {
        args.extend(["--init".to_string(), init.clone()]);
    }
    if let Some(step) = &p.step {
        args.extend(["--step".to_string(), step.clone()]);
    }
    for inv in &p.invariants {
        args.push(format!("--invariant={inv}"));
    }
}

/// Text given in a call (a spec, a log), in a temporary file removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn write(extension: &str, text: &str) -> Result<TempFile, String> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("spec-mcp-{}-{n}.{extension}", std::process::id()));
        std::fs::write(&path, text).map_err(|e| format!("cannot write a temporary file: {e}"))?;
        Ok(TempFile(path))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Runs this program with `args` (plus the spec's file, placed by `place`, and `--json`)
/// within `budget` seconds, and returns its JSON document as the tool's structured result.
async fn run_tool(source: &Source, args: &mut Vec<String>, needs_spec: Option<u8>, budget: f64, place: impl FnOnce(&mut Vec<String>, &str)) -> CallToolResult {
    let mut temp = None;
    let mut shown = None;
    match (&source.file, &source.text) {
        (Some(_), Some(_)) => return failure("give either `file` or `text`, not both"),
        (Some(file), None) => place(args, file),
        (None, Some(text)) => {
            let file = match TempFile::write("qnt", text) {
                Ok(file) => file,
                Err(message) => return failure(&message),
            };
            let name = file.0.to_string_lossy().into_owned();
            place(args, &name);
            shown = Some(name);
            temp = Some(file);
        }
        (None, None) if needs_spec.is_some() => return failure("give the spec as `file` (a path) or as `text`"),
        (None, None) => {}
    }
    if let (Some(m), false) = (&source.main, args.iter().any(|a| a == "--main")) {
        args.extend(["--main".to_string(), m.clone()]);
    }
    args.push("--json".to_string());
    let result = run_child(args, budget).await;
    drop(temp);
    match result {
        Ok(mut doc) => {
            if let Some(name) = shown {
                doc = replace_name(doc, &name);
            }
            let failed = doc.get("status").and_then(Json::as_str) == Some("error");
            let text = doc.to_string();
            let mut result = if failed { CallToolResult::structured_error(doc) } else { CallToolResult::structured(doc) };
            if result.content.is_empty() {
                result.content = vec![ContentBlock::text(text)];
            }
            result
        }
        Err(message) => failure(&message),
    }
}

/// Runs the child, with SIGTERM at the budget and SIGKILL two seconds later.
async fn run_child(args: &[String], budget: f64) -> Result<Json, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let mut child = tokio::process::Command::new(exe)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start `spec`: {e}"))?;
    let id = child.id();
    let budget = Duration::from_secs_f64(if budget.is_finite() && budget > 0.0 { budget.min(86_400.0) } else { DEFAULT_BUDGET });
    let mut stdout = child.stdout.take().ok_or("no output from `spec`")?;
    let read = async {
        use tokio::io::AsyncReadExt;
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf).await;
        buf
    };
    tokio::pin!(read);
    let output = match tokio::time::timeout(budget, &mut read).await {
        Ok(buf) => buf,
        Err(_) => {
            if let Some(pid) = id {
                // SAFETY: a signal to our own child process.
                unsafe {
                    libc::kill(pid as libc::pid_t, libc::SIGTERM);
                }
            }
            match tokio::time::timeout(Duration::from_secs(2), &mut read).await {
                Ok(buf) => buf,
                Err(_) => {
                    let _ = child.kill().await;
                    return Ok(json!({ "status": "timeout", "diagnostics": [report::plain_diagnostic("timeout", "Timeout", &format!("no result within the budget of {:.1} s", budget.as_secs_f64()), None)] }));
                }
            }
        }
    };
    let _ = child.wait().await;
    let text = String::from_utf8_lossy(&output);
    let line = text.lines().rev().find(|l| l.starts_with('{')).unwrap_or("");
    serde_json::from_str(line).map_err(|_| format!("`spec {}` gave no JSON result", args.first().map(String::as_str).unwrap_or("")))
}

fn replace_name(doc: Json, name: &str) -> Json {
    match doc {
        Json::String(s) if s.contains(name) => Json::String(s.replace(name, "<text>")),
        Json::Array(items) => Json::Array(items.into_iter().map(|v| replace_name(v, name)).collect()),
        Json::Object(map) => Json::Object(map.into_iter().map(|(k, v)| (k, replace_name(v, name))).collect()),
        other => other,
    }
}

fn failure(message: &str) -> CallToolResult {
    let doc = json!({ "status": "error", "diagnostics": [report::plain_diagnostic("usage", "Usage", message, None)] });
    let text = doc.to_string();
    let mut result = CallToolResult::structured_error(doc);
    if result.content.is_empty() {
        result.content = vec![ContentBlock::text(text)];
    }
    result
}

/// Serves MCP on stdin/stdout until the client closes the connection.
pub fn serve() -> u8 {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => return report::usage_error(&format!("cannot start the MCP server: {e}")),
    };
    runtime.block_on(async {
        match SpecServer::new().serve(rmcp::transport::stdio()).await {
            Ok(service) => {
                let _ = service.waiting().await;
                report::OK
            }
            Err(e) => report::usage_error(&format!("the MCP session did not start: {e}")),
        }
    })
}
