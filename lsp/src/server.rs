//! The language server: tower-lsp-server over the shared salsa database. Document changes
//! are applied in order under one lock; each request works on a clone of the database (a
//! snapshot) on a blocking thread, so a newer edit cancels it (salsa unwinds the old
//! query) and a panic inside a request is caught, logged, and answered with nothing.

use crate::ide::{self, Completion, CompletionKind};
use spec_analysis::{analyzed, parsed, Analysis, Database, Db, SourceText};
use spec_syntax::{Diagnostic as SpecDiagnostic, FileId, Severity, Span};
use std::collections::HashMap;
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
}

#[derive(Default)]
struct State {
    db: Database,
    /// Documents the editor has open: their URI and our path for them.
    open: HashMap<String, String>,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend { client, state: Arc::default() }
    }

    /// Runs `f` on a snapshot of the database for the document `uri`, on a blocking thread.
    async fn with_snapshot<T: Send + 'static>(&self, uri: &Uri, f: impl FnOnce(&Database, SourceText) -> Option<T> + Send + 'static) -> Option<T> {
        let path = path_of(uri);
        let snapshot = {
            let state = self.state.lock().ok()?;
            let file = state.db.file_by_path(&path)?;
            (state.db.clone(), file)
        };
        let result = tokio::task::spawn_blocking(move || {
            let (db, file) = snapshot;
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&db, file)))
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

    async fn update(&self, uri: Uri, text: String) {
        let path = path_of(&uri);
        let published = {
            let Ok(mut state) = self.state.lock() else { return };
            state.open.insert(uri.as_str().to_string(), path.clone());
            state.db.set_text(&path, text);
            let db = state.db.clone();
            drop(state);
            tokio::task::spawn_blocking(move || {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let file = db.file_by_path(&path)?;
                    let analysis = analyzed(&db, file);
                    Some(diagnostics_by_file(&db, analysis))
                }))
                .ok()
                .flatten()
            })
        };
        if let Ok(Some(files)) = published.await {
            for (uri, diagnostics) in files {
                self.client.publish_diagnostics(uri, diagnostics, None).await;
            }
        }
    }
}

/// The diagnostics of an analysis, grouped by file (every file involved gets a list, empty
/// ones clear what an earlier version reported).
fn diagnostics_by_file(db: &Database, analysis: &Analysis) -> Vec<(Uri, Vec<Diagnostic>)> {
    let mut out = Vec::new();
    for file in &analysis.files {
        let Some(source) = db.source(*file) else { continue };
        let Some(uri) = uri_of(source.path(db)) else { continue };
        let text = source.text(db);
        let list = analysis.diagnostics.iter().filter(|d| d.span.file == *file).map(|d| to_lsp_diagnostic(db, text, d)).collect();
        out.push((uri, list));
    }
    out
}

fn to_lsp_diagnostic(db: &Database, text: &str, d: &SpecDiagnostic) -> Diagnostic {
    let severity = match d.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Note => DiagnosticSeverity::INFORMATION,
    };
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter_map(|l| {
            let source = db.source(l.span.file)?;
            Some(DiagnosticRelatedInformation {
                location: Location { uri: uri_of(source.path(db))?, range: range(source.text(db), l.span) },
                message: l.message.clone(),
            })
        })
        .collect();
    Diagnostic {
        range: range(text, d.span),
        severity: Some(severity),
        code: Some(NumberOrString::String(d.code.id().to_string())),
        source: Some("spec".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Diagnostic::default()
    }
}

// ---------------------------------------------------------------- positions and URIs

/// Our path for a document: the file system path for `file:` URIs, the URI otherwise.
pub fn path_of(uri: &Uri) -> String {
    let s = uri.as_str();
    match s.strip_prefix("file://") {
        Some(rest) => percent_decode(rest),
        None => s.to_string(),
    }
}

fn uri_of(path: &str) -> Option<Uri> {
    if path.contains("://") {
        return path.parse().ok();
    }
    let absolute = std::path::Path::new(path).canonicalize().map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|_| path.to_string());
    format!("file://{}", percent_encode(&absolute)).parse().ok()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An LSP position (line, UTF-16 column) for a byte offset.
pub fn position(text: &str, offset: usize) -> Position {
    let offset = offset.min(text.len());
    let before = &text[..floor_boundary(text, offset)];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let character = before[line_start..].encode_utf16().count();
    Position { line: line as u32, character: character as u32 }
}

/// The byte offset of an LSP position (clamped to the text).
pub fn offset(text: &str, pos: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..pos.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..].find('\n').map(|i| line_start + i).unwrap_or(text.len());
    let mut units = 0u32;
    for (i, c) in text[line_start..line_end].char_indices() {
        if units >= pos.character {
            return line_start + i;
        }
        units += c.len_utf16() as u32;
    }
    line_end
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn range(text: &str, span: Span) -> Range {
    Range { start: position(text, span.start as usize), end: position(text, span.end as usize) }
}

fn location(db: &Database, span: Span) -> Option<Location> {
    let source = db.source(span.file)?;
    Some(Location { uri: uri_of(source.path(db))?, range: range(source.text(db), span) })
}

/// The analysis of `file` and the symbol at `pos` in it, with the span of its name there.
fn symbol_here(db: &Database, file: SourceText, pos: Position) -> Option<(&Analysis, ide::Symbol, Span)> {
    let analysis = analyzed(db, file);
    let (symbol, span) = ide::symbol_at(analysis, FileId(file.id(db)), offset(file.text(db), pos))?;
    Some((analysis, symbol, span))
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
    async fn initialize(&self, _: InitializeParams) -> Result<InitializeResult> {
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
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        self.update(params.text_document.uri, params.text_document.text).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        if let Some(change) = params.content_changes.into_iter().last() {
            self.update(params.text_document.uri, change.text).await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        if let Ok(mut state) = self.state.lock() {
            state.open.remove(params.text_document.uri.as_str());
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let pos = params.text_document_position_params.position;
        let uri = params.text_document_position_params.text_document.uri;
        Ok(self
            .with_snapshot(&uri, move |db, file| {
                let (analysis, symbol, span) = symbol_here(db, file, pos)?;
                let text = file.text(db);
                let mut value = ide::hover(analysis, &symbol);
                if let Some(v) = crate::values::cheap_value(db, file, analysis, &symbol) {
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
            .with_snapshot(&uri, move |db, file| {
                let (analysis, symbol, _) = symbol_here(db, file, pos)?;
                let span = ide::definition(analysis, &symbol)?;
                Some(GotoDefinitionResponse::Scalar(location(db, span)?))
            })
            .await)
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let pos = params.text_document_position.position;
        let uri = params.text_document_position.text_document.uri;
        Ok(self
            .with_snapshot(&uri, move |db, file| {
                let (analysis, symbol, _) = symbol_here(db, file, pos)?;
                Some(ide::references(analysis, &symbol).into_iter().filter_map(|s| location(db, s)).collect())
            })
            .await)
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let pos = params.text_document_position.position;
        let uri = params.text_document_position.text_document.uri;
        let new_name = params.new_name;
        let outcome = self
            .with_snapshot(&uri, move |db, file| {
                let (analysis, symbol, _) = symbol_here(db, file, pos)?;
                let file_id = FileId(file.id(db));
                let valid = new_name.chars().next().is_some_and(|c| c.is_alphabetic()) && new_name.chars().all(|c| c.is_alphanumeric() || c == '_');
                if !valid {
                    return Some(Err(format!("`{new_name}` is not a valid name")));
                }
                let clash = analysis.program.modules.iter().filter(|m| m.span.file == file_id).any(|m| m.scope.contains_key(&new_name));
                if clash {
                    return Some(Err(format!("`{new_name}` is already defined; renaming would clash")));
                }
                let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
                for span in ide::references(analysis, &symbol) {
                    let Some(loc) = location(db, span) else { continue };
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
            .with_snapshot(&uri, move |db, file| {
                let text = file.text(db).clone();
                let at = offset(&text, pos);
                let word_start = text[..at].rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map(|i| i + 1).unwrap_or(0);
                let after_dot = text[..word_start].ends_with('.');
                let items = if after_dot {
                    // Half-typed `r.`: analyze the text with a placeholder name after the dot.
                    let mut patched = text.clone();
                    patched.insert_str(word_start, "__completion");
                    let mut scratch = Database::default();
                    let path = file.path(db).clone();
                    let f = scratch.set_text(&path, patched);
                    let analysis = analyzed(&scratch, f);
                    let receiver = ide::type_ending_at(analysis, FileId(f.id(&scratch)), word_start - 1);
                    ide::member_completions(receiver.as_ref())
                } else {
                    ide::scope_completions(analyzed(db, file), FileId(file.id(db)), at)
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
            .with_snapshot(&uri, move |db, file| {
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
            .with_snapshot(&params.text_document.uri, move |db, file| {
                let analysis = analyzed(db, file);
                let text = file.text(db);
                Some(
                    ide::inlay_types(analysis, FileId(file.id(db)))
                        .into_iter()
                        .map(|(at, label)| InlayHint {
                            position: position(text, at),
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
            .with_snapshot(&uri, move |db, file| {
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
        let text_of = |uri: &str| -> Option<(String, String)> {
            let uri: Uri = uri.parse().ok()?;
            let path = path_of(&uri);
            let state = self.state.lock().ok()?;
            let file = state.db.file_by_path(&path)?;
            Some((path, file.text(&state.db).clone()))
        };
        let Some((path, text)) = args.first().and_then(|u| u.as_str()).and_then(text_of) else {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params("the first argument must be an open document's URI"));
        };
        let module = args.get(1).and_then(|m| m.as_str()).map(String::from);
        let test = args.get(2).and_then(|t| t.as_str()).map(String::from);
        let command = params.command.clone();
        // Long work runs in the background; the result is shown when it is ready.
        let result = tokio::task::spawn_blocking(move || {
            std::panic::catch_unwind(|| crate::values::run_command(&command, &path, &text, module.as_deref(), test.as_deref())).unwrap_or_else(|_| "the command failed inside the server".into())
        })
        .await
        .unwrap_or_else(|_| "the command was cancelled".into());
        self.client.show_message(MessageType::INFO, result.clone()).await;
        Ok(Some(serde_json::json!(result)))
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        let query = params.query;
        let files: Vec<String> = self.state.lock().map(|s| s.open.keys().cloned().collect()).unwrap_or_default();
        let mut out = Vec::new();
        for uri in files {
            let Ok(uri) = uri.parse::<Uri>() else { continue };
            let q = query.clone();
            let found = self
                .with_snapshot(&uri, move |db, file| {
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
            .with_snapshot(&params.text_document.uri, move |db, file| {
                let analysis = analyzed(db, file);
                let text = file.text(db);
                let tokens = crate::values::semantic_tokens(analysis, text, FileId(file.id(db)));
                let mut data = Vec::with_capacity(tokens.len());
                let (mut line, mut col) = (0u32, 0u32);
                for (start, len, kind) in tokens {
                    let p = position(text, start);
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
            .with_snapshot(&params.text_document.uri, move |db, file| {
                let text = file.text(db);
                let ast = &parsed(db, file).ast;
                #[allow(deprecated)]
                fn convert(text: &str, o: ide::Outline) -> DocumentSymbol {
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
                        range: range(text, o.span),
                        selection_range: range(text, o.name_span),
                        children: Some(o.children.into_iter().map(|c| convert(text, c)).collect()),
                    }
                }
                Some(DocumentSymbolResponse::Nested(ide::outline(ast).into_iter().map(|o| convert(text, o)).collect()))
            })
            .await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let text = "ab\nxé𝄞z\n";
        assert_eq!(position(text, 0), Position { line: 0, character: 0 });
        let z = text.find('z').unwrap();
        assert_eq!(position(text, z), Position { line: 1, character: 4 });
        assert_eq!(offset(text, Position { line: 1, character: 4 }), z);
        assert_eq!(offset(text, Position { line: 9, character: 0 }), text.len());
    }

    #[test]
    fn file_uris_round_trip() {
        let uri: Uri = "file:///tmp/a%20b.qnt".parse().unwrap();
        assert_eq!(path_of(&uri), "/tmp/a b.qnt");
    }
}
