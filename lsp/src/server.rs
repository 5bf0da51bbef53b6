//! The language server: tower-lsp-server over the shared salsa database. Document changes
//! are applied in order under one lock; each request works on a clone of the database (a
//! snapshot) on a blocking thread, so a newer edit cancels it (salsa unwinds the old
//! query) and a panic inside a request is caught, logged, and answered with nothing.

use crate::convert::{diagnostics_in, location, locations, offset, path_of, range, uri_of, LineIndex};
use crate::ide::{self, Completion, CompletionKind};
use crate::workspace::{self, Workspace};
use spec_analysis::{analyzed, parsed, Analysis, Database, Db, SourceText};
use spec_syntax::{FileId, Span};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

/// Commands behind the code lenses.
const RUN_TEST: &str = "spec.runTest";
const SIMULATE: &str = "spec.simulate";

/// Semantic token types, in legend order.
const TOKEN_TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::NUMBER,
    SemanticTokenType::STRING,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::PARAMETER,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::COMMENT,
];

fn token_type_index(t: SemanticTokenType) -> u32 {
    TOKEN_TYPES.iter().position(|x| *x == t).unwrap_or(0) as u32
}

pub struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
    /// The last program compiled for hover values and code lenses, reused while it holds.
    compiled: Arc<crate::values::CompiledCache>,
    /// Set when the client asks the server to shut down or exit: long work stops.
    stopping: Arc<AtomicBool>,
    /// How long a code-lens command may run, in milliseconds.
    command_budget_ms: AtomicU64,
}

#[derive(Default)]
struct State {
    /// Every source text: open buffers as set by the editor, other files from the disk.
    db: Database,
    workspace: Workspace,
    /// Shares of the large results of the last two analyses (syntax trees, programs,
    /// types). Salsa frees a replaced result when the next change comes in, on the thread
    /// that applies it, which is the one the editor waits on; with a share held here that
    /// free is only a count going down, and the memory is given back on a thread of its own
    /// after the change is applied (see [`Backend::apply`]).
    held: std::collections::VecDeque<Vec<Held>>,
    /// Files changed since the last analysis that finished publishing. A newer change
    /// cancels an older analysis; the newer one must then publish for the older one's files
    /// too (three files changed back to back once left the first one's importers stale).
    pending: std::collections::BTreeSet<String>,
}

/// A share of a large result, kept so that it is freed off the editor's path.
type Held = Box<dyn std::any::Any + Send>;

/// What the host learned about the files.
enum Change {
    /// A document was opened or edited: its whole new text.
    Text { uri: Uri, text: String },
    /// A document was closed: the disk holds its text again.
    Closed(Uri),
    /// Files changed on disk (created, changed or deleted).
    OnDisk(Vec<String>),
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend::with_stop_flag(client, Arc::default())
    }

    /// A backend whose long work (code-lens commands) stops when `stopping` is set.
    pub fn with_stop_flag(client: Client, stopping: Arc<AtomicBool>) -> Backend {
        let command_budget_ms = AtomicU64::new(crate::values::COMMAND_BUDGET.as_millis() as u64);
        Backend { client, state: Arc::default(), compiled: Arc::default(), stopping, command_budget_ms }
    }

    /// Runs `f` on a snapshot of the database for the document `uri` (with the workspace as
    /// it is now), on a blocking thread.
    async fn with_snapshot<T: Send + 'static>(&self, uri: &Uri, f: impl FnOnce(&Database, SourceText, &Workspace) -> Option<T> + Send + 'static) -> Option<T> {
        let path = path_of(uri);
        let snapshot = {
            let state = self.state.lock().ok()?;
            let file = state.db.file_by_path(&path)?;
            (state.db.clone(), file, state.workspace.clone())
        };
        let result = tokio::task::spawn_blocking(move || {
            let (db, file, workspace) = snapshot;
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&db, file, &workspace)))
        })
        .await;
        match result {
            Ok(Ok(value)) => value,
            Ok(Err(_)) | Err(_) => {
                self.client.log_message(MessageType::ERROR, "a request failed inside the server (it was cancelled or hit a bug); the server goes on").await;
                None
            }
        }
    }

    /// Applies a change to the inputs (in the order changes arrive: this part does not
    /// wait), then re-publishes the diagnostics of every open document that reads a changed
    /// file, the changed ones first. The analysis runs on a snapshot on a blocking thread and
    /// sends each document's diagnostics as soon as they are ready; a newer change cancels it.
    async fn apply(&self, change: Change) {
        let (db, changed, workspace) = {
            let Ok(mut state) = self.state.lock() else { return };
            let released = if state.held.len() >= 2 { state.held.pop_front() } else { None };
            let changed = match change {
                Change::Text { uri, text } => {
                    let path = path_of(&uri);
                    state.workspace.open.insert(path.clone(), uri.as_str().to_string());
                    state.db.set_text(&path, text);
                    vec![path]
                }
                Change::Closed(uri) => {
                    let path = path_of(&uri);
                    state.workspace.open.remove(&path);
                    state.db.reload(&path);
                    vec![path]
                }
                Change::OnDisk(paths) => {
                    let state = &mut *state;
                    paths.into_iter().filter(|p| !state.workspace.is_open(p) && state.db.reload(p).is_some()).collect()
                }
            };
            if let Some(released) = released {
                // The results of two changes ago: salsa has let go of them by now.
                std::thread::spawn(move || drop(released));
            }
            state.pending.extend(changed);
            let changed: Vec<String> = state.pending.iter().cloned().collect();
            (state.db.clone(), changed, state.workspace.clone())
        };
        if changed.is_empty() {
            return;
        }
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let shared = self.state.clone();
        let work = tokio::task::spawn_blocking(move || {
            // A cancelled analysis (a newer change came) unwinds; the newer one publishes.
            let mut held = Vec::new();
            let finished = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                publish_after(&db, &changed, &workspace, &mut |uri, list| {
                    let _ = tx.send((uri, list));
                });
                for path in workspace.open.keys() {
                    hold_results(&db, path, &mut held);
                }
            }))
            .is_ok();
            drop(db);
            if let Ok(mut state) = shared.lock() {
                state.held.push_back(held);
                if finished {
                    // Published for these files; a newer analysis has them too if it came.
                    for path in &changed {
                        state.pending.remove(path);
                    }
                }
            }
        });
        while let Some((uri, list)) = rx.recv().await {
            self.client.publish_diagnostics(uri, list, None).await;
        }
        let _ = work.await;
    }
}

/// The diagnostics to publish after `changed` files changed: for each open document that
/// reads one of them (the changed documents first), its own diagnostics from its own
/// analysis, and those of the files it imports that are not open. A closed file that no
/// open document reads any more gets an empty list (its old diagnostics are cleared).
fn publish_after(db: &Database, changed: &[String], workspace: &Workspace, send: &mut dyn FnMut(Uri, Vec<Diagnostic>)) {
    let changed_ids: Vec<FileId> = changed.iter().filter_map(|p| db.file_by_path(p)).map(|f| FileId(f.id(db))).collect();
    let mut order: Vec<&String> = changed.iter().filter(|p| workspace.is_open(p)).collect();
    order.extend(workspace.open.keys().filter(|p| !changed.contains(p)));
    let mut published = std::collections::BTreeSet::new();
    for path in order {
        let Some(file) = db.file_by_path(path) else { continue };
        let id = FileId(file.id(db));
        if !changed_ids.contains(&id) && !changed_ids.iter().any(|c| workspace::depends_on(db, file, *c)) {
            continue;
        }
        // The diagnostics alone: the whole resolved program is built only when a request
        // needs it (hover, completion, ...), not on the way to the editor's diagnostics.
        let found = spec_analysis::file_diagnostics(db, file);
        for (i, f) in found.files.iter().enumerate() {
            let Some(source) = db.source(*f) else { continue };
            let is_root = i == 0;
            if !is_root && (workspace.is_open(source.path(db)) || !published.insert(*f)) {
                continue;
            }
            // An open document is published under the URI the editor gave it.
            let editor_uri = workspace.open.get(source.path(db)).and_then(|u| u.parse().ok());
            let Some(uri) = editor_uri.or_else(|| uri_of(source.path(db))) else { continue };
            send(uri, diagnostics_in(db, &found.diagnostics, *f));
        }
    }
    for path in changed.iter().filter(|p| !workspace.is_open(p)) {
        let Some(file) = db.file_by_path(path) else { continue };
        let id = FileId(file.id(db));
        let read = workspace.open.keys().filter_map(|p| db.file_by_path(p)).any(|root| workspace::depends_on(db, root, id));
        if !read && !published.contains(&id) {
            if let Some(uri) = uri_of(path) {
                send(uri, Vec::new());
            }
        }
    }
}

/// Shares of the large results of the diagnostics of the open document at `path` (those
/// that publishing computed: this asks for nothing new).
fn hold_results(db: &Database, path: &str, held: &mut Vec<Held>) {
    let Some(file) = db.file_by_path(path) else { return };
    held.push(Box::new(spec_analysis::pieces::header_file(db, file).clone()));
}

/// The analysis of `file` and the symbol at `pos` in it, with the span of its name there.
fn symbol_here(db: &Database, file: SourceText, pos: Position) -> Option<(&Analysis, ide::Symbol, Span)> {
    let analysis = analyzed(db, file);
    let (symbol, span) = ide::symbol_at(&analysis.program, FileId(file.id(db)), offset(file.text(db), pos))?;
    Some((analysis, symbol, span))
}

/// Every use of the symbol at `pos` in `file`: in that file's program for a local name,
/// else in the programs of every open document and workspace file that reads its
/// declaration. `None` when there is no symbol there (or it has no declaration).
fn uses_of_symbol_here(db: &Database, file: SourceText, pos: Position, workspace: &Workspace) -> Option<Vec<Span>> {
    let (analysis, symbol, _) = symbol_here(db, file, pos)?;
    let target = ide::target(&analysis.program, &symbol)?;
    if ide::is_local(&symbol) {
        return Some(ide::uses(&analysis.program, &target));
    }
    let mut paths = vec![file.path(db).clone()];
    paths.extend(workspace.candidate_paths());
    Some(workspace::uses_everywhere(db, &paths, &target))
}

fn completion_item(c: Completion) -> CompletionItem {
    let kind = match c.kind {
        CompletionKind::Field => CompletionItemKind::FIELD,
        CompletionKind::Method => CompletionItemKind::METHOD,
        CompletionKind::Value => CompletionItemKind::VALUE,
        CompletionKind::Operator => CompletionItemKind::FUNCTION,
        CompletionKind::Variable => CompletionItemKind::VARIABLE,
        CompletionKind::Keyword => CompletionItemKind::KEYWORD,
    };
    CompletionItem { label: c.label, kind: Some(kind), detail: c.detail, ..CompletionItem::default() }
}

fn snippets() -> Vec<CompletionItem> {
    let snippet = |label: &str, body: &str, detail: &str| CompletionItem {
        label: label.to_string(),
        kind: Some(CompletionItemKind::SNIPPET),
        insert_text: Some(body.to_string()),
        insert_text_format: Some(InsertTextFormat::SNIPPET),
        detail: Some(detail.to_string()),
        ..CompletionItem::default()
    };
    vec![
        snippet("module", "module ${1:name} {\n  $0\n}", "a new module"),
        snippet("action", "action ${1:name} = all {\n  $0\n}", "a new action"),
        snippet("match", "match ${1:e} {\n  | ${2:A} => $0\n}", "a match expression"),
    ]
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        #[allow(deprecated)]
        let folders = workspace::folders_of(params.workspace_folders.as_deref(), params.root_uri.as_ref());
        if let Ok(mut state) = self.state.lock() {
            state.workspace.folders = folders;
        }
        if let Some(ms) = params.initialization_options.as_ref().and_then(|o| o.get("commandBudgetMs")).and_then(|v| v.as_u64()) {
            self.command_budget_ms.store(ms, Ordering::Relaxed);
        }
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Left(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                completion_provider: Some(CompletionOptions { trigger_characters: Some(vec![".".into()]), ..CompletionOptions::default() }),
                signature_help_provider: Some(SignatureHelpOptions { trigger_characters: Some(vec!["(".into(), ",".into()]), ..SignatureHelpOptions::default() }),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                inlay_hint_provider: Some(OneOf::Left(true)),
                code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
                execute_command_provider: Some(ExecuteCommandOptions { commands: vec![RUN_TEST.into(), SIMULATE.into()], ..ExecuteCommandOptions::default() }),
                semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(SemanticTokensOptions {
                    legend: SemanticTokensLegend { token_types: TOKEN_TYPES.to_vec(), token_modifiers: Vec::new() },
                    full: Some(SemanticTokensFullOptions::Bool(true)),
                    ..SemanticTokensOptions::default()
                })),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo { name: "spec".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
            ..InitializeResult::default()
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.client.log_message(MessageType::INFO, "spec language server ready").await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.stopping.store(true, Ordering::Relaxed);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        self.apply(Change::Text { uri: params.text_document.uri, text: params.text_document.text }).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        if let Some(change) = params.content_changes.into_iter().last() {
            self.apply(Change::Text { uri: params.text_document.uri, text: change.text }).await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.apply(Change::Closed(params.text_document.uri)).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let paths = params.changes.iter().map(|c| path_of(&c.uri)).collect();
        self.apply(Change::OnDisk(paths)).await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let compiled = self.compiled.clone();
        let pos = params.text_document_position_params.position;
        let uri = params.text_document_position_params.text_document.uri;
        Ok(self
            .with_snapshot(&uri, move |db, file, _| {
                let (analysis, symbol, span) = symbol_here(db, file, pos)?;
                let text = file.text(db);
                let mut value = ide::hover(analysis, &symbol);
                if let Some(v) = crate::values::cheap_value(&compiled, analysis, &symbol) {
                    value.push_str(&format!("\n\nvalue: `{v}`"));
                }
                Some(Hover {
                    contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value }),
                    range: Some(range(text, span)),
                })
            })
            .await)
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let pos = params.text_document_position_params.position;
        let uri = params.text_document_position_params.text_document.uri;
        Ok(self
            .with_snapshot(&uri, move |db, file, _| {
                let (analysis, symbol, _) = symbol_here(db, file, pos)?;
                let span = ide::definition(&analysis.program, &symbol)?;
                Some(GotoDefinitionResponse::Scalar(location(db, span)?))
            })
            .await)
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let pos = params.text_document_position.position;
        let uri = params.text_document_position.text_document.uri;
        Ok(self
            .with_snapshot(&uri, move |db, file, workspace| {
                let uses = uses_of_symbol_here(db, file, pos, workspace)?;
                Some(locations(db, uses))
            })
            .await)
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let pos = params.text_document_position.position;
        let uri = params.text_document_position.text_document.uri;
        let new_name = params.new_name;
        let outcome = self
            .with_snapshot(&uri, move |db, file, workspace| {
                let valid = new_name.chars().next().is_some_and(|c| c.is_alphabetic()) && new_name.chars().all(|c| c.is_alphanumeric() || c == '_');
                if !valid {
                    return Some(Err(format!("`{new_name}` is not a valid name")));
                }
                let uses = uses_of_symbol_here(db, file, pos, workspace)?;
                // Every module of a file the rename edits must not have the new name yet.
                let touched: std::collections::BTreeSet<FileId> = uses.iter().map(|s| s.file).collect();
                let clash = touched.iter().filter_map(|f| db.source(*f)).any(|source| {
                    let program = spec_analysis::db::resolved_program(db, source).0;
                    program.modules.iter().filter(|m| touched.contains(&m.span.file)).any(|m| m.scope.contains_key(&new_name))
                });
                if clash {
                    return Some(Err(format!("`{new_name}` is already defined; renaming would clash")));
                }
                let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
                for loc in locations(db, uses) {
                    changes.entry(loc.uri).or_default().push(TextEdit { range: loc.range, new_text: new_name.clone() });
                }
                Some(Ok(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }))
            })
            .await;
        match outcome {
            Some(Ok(edit)) => Ok(Some(edit)),
            Some(Err(message)) => Err(tower_lsp_server::jsonrpc::Error::invalid_params(message)),
            None => Ok(None),
        }
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let pos = params.text_document_position.position;
        let uri = params.text_document_position.text_document.uri;
        Ok(self
            .with_snapshot(&uri, move |db, file, _| {
                let text = file.text(db);
                let at = offset(text, pos);
                let word_start = text[..at].rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map(|i| i + 1).unwrap_or(0);
                let after_dot = text[..word_start].ends_with('.');
                let analysis = analyzed(db, file);
                let items = if after_dot {
                    // Half-typed `r.`: the type of the receiver, from this analysis.
                    let receiver = ide::receiver_type(analysis, FileId(file.id(db)), text, word_start - 1);
                    ide::member_completions(receiver.as_ref())
                } else {
                    ide::scope_completions(analysis, FileId(file.id(db)), at)
                };
                let mut items: Vec<CompletionItem> = items.into_iter().map(completion_item).collect();
                if !after_dot {
                    items.extend(snippets());
                }
                Some(CompletionResponse::Array(items))
            })
            .await)
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let pos = params.text_document_position_params.position;
        let uri = params.text_document_position_params.text_document.uri;
        Ok(self
            .with_snapshot(&uri, move |db, file, _| {
                let analysis = analyzed(db, file);
                let text = file.text(db);
                let (label, params, active) = ide::signature_at(analysis, text, FileId(file.id(db)), offset(text, pos))?;
                Some(SignatureHelp {
                    signatures: vec![SignatureInformation {
                        label,
                        documentation: None,
                        parameters: Some(params.into_iter().map(|p| ParameterInformation { label: ParameterLabel::Simple(p), documentation: None }).collect()),
                        active_parameter: Some(active as u32),
                    }],
                    active_signature: Some(0),
                    active_parameter: Some(active as u32),
                })
            })
            .await)
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        Ok(self
            .with_snapshot(&params.text_document.uri, move |db, file, _| {
                let analysis = analyzed(db, file);
                let text = file.text(db);
                let lines = LineIndex::new(text);
                Some(
                    ide::inlay_types(analysis, FileId(file.id(db)))
                        .into_iter()
                        .map(|(at, label)| InlayHint {
                            position: lines.position(text, at),
                            label: InlayHintLabel::String(label),
                            kind: Some(InlayHintKind::TYPE),
                            text_edits: None,
                            tooltip: None,
                            padding_left: Some(false),
                            padding_right: Some(true),
                            data: None,
                        })
                        .collect(),
                )
            })
            .await)
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri;
        let uri_text = uri.as_str().to_string();
        Ok(self
            .with_snapshot(&uri, move |db, file, _| {
                let text = file.text(db);
                let ast = &parsed(db, file).ast;
                let mut lenses = Vec::new();
                for module in &ast.modules {
                    for decl in &module.decls {
                        let spec_syntax::ast::DeclKind::Def(def) = &decl.kind else { continue };
                        let (title, command, args) = match (def.qualifier, def.name.name.as_str()) {
                            (spec_syntax::ast::Qualifier::Run, name) => ("▶ Run test", RUN_TEST, vec![serde_json::json!(uri_text), serde_json::json!(module.name.name), serde_json::json!(name)]),
                            (spec_syntax::ast::Qualifier::Action, "step") => ("▶ Simulate", SIMULATE, vec![serde_json::json!(uri_text), serde_json::json!(module.name.name)]),
                            _ => continue,
                        };
                        lenses.push(CodeLens {
                            range: range(text, def.name.span),
                            command: Some(Command { title: title.into(), command: command.into(), arguments: Some(args) }),
                            data: None,
                        });
                    }
                }
                Some(lenses)
            })
            .await)
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        let args = params.arguments;
        let Some(uri) = args.first().and_then(|u| u.as_str()).and_then(|u| u.parse::<Uri>().ok()) else {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params("the first argument must be an open document's URI"));
        };
        let module = args.get(1).and_then(|m| m.as_str()).map(String::from);
        let test = args.get(2).and_then(|t| t.as_str()).map(String::from);
        let command = params.command.clone();
        let compiled = self.compiled.clone();
        // The spec comes from the server's own analysis (open buffers of imported files
        // included); the snapshot is let go before the run, so edits are not held up.
        let spec = self
            .with_snapshot(&uri, move |db, file, _| {
                let analysis = analyzed(db, file).clone();
                let stem = std::path::Path::new(file.path(db)).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                Some(crate::values::spec_of(&compiled, analysis, &stem, module.as_deref()))
            })
            .await;
        let Some(spec) = spec else {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params("the first argument must be an open document's URI"));
        };
        // Long work runs in the background, within a time budget; it stops early when the
        // request is cancelled (the library drops this future: the guard raises the flag)
        // or the server is told to shut down.
        let stop = crate::values::StopOnDrop::default();
        let budget = std::time::Duration::from_millis(self.command_budget_ms.load(Ordering::Relaxed));
        let limits = crate::values::RunLimits { budget, cancel: stop.flag(), stopping: self.stopping.clone() };
        let result = tokio::task::spawn_blocking(move || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match spec {
                Ok(spec) => crate::values::run_command(&command, &spec, test.as_deref(), &limits),
                Err(message) => message,
            }))
            .unwrap_or_else(|_| "the command failed inside the server".into())
        })
        .await
        .unwrap_or_else(|_| "the command was cancelled".into());
        drop(stop);
        self.client.show_message(MessageType::INFO, result.clone()).await;
        Ok(Some(serde_json::json!(result)))
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        let query = params.query;
        let files: Vec<String> = self.state.lock().map(|s| s.workspace.open.values().cloned().collect()).unwrap_or_default();
        let mut out = Vec::new();
        for uri in files {
            let Ok(uri) = uri.parse::<Uri>() else { continue };
            let q = query.clone();
            let found = self
                .with_snapshot(&uri, move |db, file, _| {
                    let analysis = analyzed(db, file);
                    #[allow(deprecated)]
                    let symbols: Vec<SymbolInformation> = ide::symbols_matching(analysis, &q)
                        .into_iter()
                        .filter_map(|(name, kind, span)| {
                            Some(SymbolInformation {
                                name,
                                kind: if kind == "var" { SymbolKind::VARIABLE } else { SymbolKind::FUNCTION },
                                tags: None,
                                deprecated: None,
                                location: location(db, span)?,
                                container_name: None,
                            })
                        })
                        .collect();
                    Some(symbols)
                })
                .await
                .unwrap_or_default();
            out.extend(found);
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out.dedup_by(|a, b| a.name == b.name && a.location == b.location);
        Ok(Some(WorkspaceSymbolResponse::Flat(out)))
    }

    async fn semantic_tokens_full(&self, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
        Ok(self
            .with_snapshot(&params.text_document.uri, move |db, file, _| {
                let analysis = analyzed(db, file);
                let text = file.text(db);
                let tokens = crate::values::semantic_tokens(analysis, text, FileId(file.id(db)));
                let mut data = Vec::with_capacity(tokens.len());
                let (mut line, mut col) = (0u32, 0u32);
                let lines = LineIndex::new(text);
                for (start, len, kind) in tokens {
                    let p = lines.position(text, start);
                    let length = text[start..start + len].encode_utf16().count() as u32;
                    let delta_line = p.line - line;
                    let delta_start = if delta_line == 0 { p.character - col } else { p.character };
                    data.push(SemanticToken { delta_line, delta_start, length, token_type: token_type_index(kind), token_modifiers_bitset: 0 });
                    line = p.line;
                    col = p.character;
                }
                Some(SemanticTokensResult::Tokens(SemanticTokens { result_id: None, data }))
            })
            .await)
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        Ok(self
            .with_snapshot(&params.text_document.uri, move |db, file, _| {
                let text = file.text(db);
                let ast = &parsed(db, file).ast;
                let lines = LineIndex::new(text);
                #[allow(deprecated)]
                fn convert(text: &str, lines: &LineIndex, o: ide::Outline) -> DocumentSymbol {
                    let kind = match o.kind {
                        "module" => SymbolKind::MODULE,
                        "var" => SymbolKind::VARIABLE,
                        "const" => SymbolKind::CONSTANT,
                        "type" => SymbolKind::STRUCT,
                        "action" => SymbolKind::EVENT,
                        "val" | "pure val" => SymbolKind::CONSTANT,
                        _ => SymbolKind::FUNCTION,
                    };
                    DocumentSymbol {
                        name: o.name,
                        detail: Some(o.kind.to_string()),
                        kind,
                        tags: None,
                        deprecated: None,
                        range: lines.range(text, o.span),
                        selection_range: lines.range(text, o.name_span),
                        children: Some(o.children.into_iter().map(|c| convert(text, lines, c)).collect()),
                    }
                }
                Some(DocumentSymbolResponse::Nested(ide::outline(ast).into_iter().map(|o| convert(text, &lines, o)).collect()))
            })
            .await)
    }
}
