//! The modules of a file, each parsed in a query of its own, with positions relative to the
//! start of its piece of text. An edit inside one module parses that module again and
//! nothing else; an edit that moves the modules after it (a longer or shorter body) leaves
//! their pieces, and so their syntax trees, equal. Positions are made absolute only where
//! they are needed: [`header_file`] (the declarations of every module without the bodies of
//! their definitions, what name resolution reads) and [`syntax_diagnostics`].
//!
//! A text that is not a sequence of modules with balanced braces (while a module is being
//! typed), or one piece of which does not parse into exactly one module, is one piece: the
//! whole text, parsed as `parsed` parses it.

use crate::db::{Db, SourceText};
use spec_syntax::ast::{Decl, DeclKind, Def, Module, SourceFile};
use spec_syntax::{Diagnostic, FileId, Span};
use std::sync::Arc;

/// Larger texts are one piece (as in `spec_syntax`'s cache of modules).
const MAX_SPLIT: usize = 16 * 1024 * 1024;

/// The piece index that stands for the whole text.
pub const WHOLE: u32 = u32::MAX;

/// A piece of a file: the `index`th module, or the whole text ([`WHOLE`]).
#[salsa::interned(debug)]
pub struct PieceKey<'db> {
    #[returns(copy)]
    pub file: SourceText,
    #[returns(copy)]
    pub index: u32,
}

/// The `module`th module of a file (in the order of the text).
#[salsa::interned(debug)]
pub struct ModuleKey<'db> {
    #[returns(copy)]
    pub file: SourceText,
    #[returns(copy)]
    pub module: u32,
}

/// Where the pieces of a file start and end: one per top-level module when the text is a
/// sequence of modules with balanced braces, else none (the whole text is one piece).
#[salsa::tracked(returns(ref))]
fn cuts(db: &dyn Db, file: SourceText) -> Vec<(u32, u32)> {
    let text = file.text(db);
    if text.len() > MAX_SPLIT || text.starts_with("#!") {
        return Vec::new();
    }
    match spec_syntax::module_ends(text) {
        Some(ends) if ends.len() >= 2 => {
            let mut start = 0;
            let mut out = Vec::with_capacity(ends.len());
            for (i, &end) in ends.iter().enumerate() {
                let end = if i + 1 == ends.len() { text.len() } else { end };
                out.push((start as u32, end as u32));
                start = end;
            }
            out
        }
        _ => Vec::new(),
    }
}

/// The text of a piece: equal after an edit elsewhere, so that its parse is kept.
#[salsa::tracked(returns(ref))]
fn piece_text<'db>(db: &'db dyn Db, key: PieceKey<'db>) -> String {
    let file = key.file(db);
    let text = file.text(db);
    if key.index(db) == WHOLE {
        return text.clone();
    }
    cuts(db, file).get(key.index(db) as usize).and_then(|(s, e)| text.get(*s as usize..*e as usize)).unwrap_or_default().to_string()
}

/// A piece parsed alone: its modules and diagnostics, positions relative to its start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedPiece {
    pub modules: Vec<Module>,
    pub diagnostics: Vec<Diagnostic>,
}

#[salsa::tracked(returns(ref))]
pub fn piece_parsed<'db>(db: &'db dyn Db, key: PieceKey<'db>) -> ParsedPiece {
    let (ast, diagnostics) = spec_syntax::parse_uncached(piece_text(db, key), FileId(key.file(db).id(db)));
    ParsedPiece { modules: ast.modules, diagnostics }
}

/// How a file is cut: each piece with its start, and for each module of the file (in
/// order) its piece and its index among the modules of that piece.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    pub pieces: Vec<(u32, u32)>,
    pub modules: Vec<(u32, u32)>,
}

#[salsa::tracked(returns(ref))]
pub fn layout(db: &dyn Db, file: SourceText) -> Layout {
    let cuts = cuts(db, file);
    let mut layout = Layout::default();
    for (i, (start, _)) in cuts.iter().enumerate() {
        if piece_parsed(db, PieceKey::new(db, file, i as u32)).modules.len() != 1 {
            layout = Layout::default();
            break;
        }
        layout.pieces.push((i as u32, *start));
        layout.modules.push((i as u32, 0));
    }
    if layout.pieces.is_empty() {
        let count = piece_parsed(db, PieceKey::new(db, file, WHOLE)).modules.len() as u32;
        layout = Layout { pieces: vec![(WHOLE, 0)], modules: (0..count).map(|m| (WHOLE, m)).collect() };
    }
    layout
}

/// The piece of a module and its index there: equal after edits that only move it.
#[salsa::tracked]
pub fn module_place<'db>(db: &'db dyn Db, key: ModuleKey<'db>) -> Option<(u32, u32)> {
    layout(db, key.file(db)).modules.get(key.module(db) as usize).copied()
}

/// The syntax tree of the `module`th module of `file`, positions relative to its piece.
pub fn module_ast(db: &dyn Db, file: SourceText, module: u32) -> Option<&Module> {
    let (piece, within) = module_place(db, ModuleKey::new(db, file, module)).as_ref().copied()?;
    piece_parsed(db, PieceKey::new(db, file, piece)).modules.get(within as usize)
}

/// The modules of a piece without the bodies of their definitions: equal after an edit
/// inside a body.
#[salsa::tracked(returns(ref))]
fn piece_headers<'db>(db: &'db dyn Db, key: PieceKey<'db>) -> Vec<Module> {
    let parsed = piece_parsed(db, key);
    parsed
        .modules
        .iter()
        .map(|m| Module {
            name: m.name.clone(),
            doc: m.doc.clone(),
            span: m.span,
            decls: m
                .decls
                .iter()
                .map(|d| match &d.kind {
                    DeclKind::Def(def) => Decl {
                        kind: DeclKind::Def(Def { qualifier: def.qualifier, name: def.name.clone(), params: def.params.clone(), ret: def.ret.clone(), body: None, span: def.span }),
                        doc: d.doc.clone(),
                        span: d.span,
                    },
                    _ => d.clone(),
                })
                .collect(),
        })
        .collect()
}

/// Every module of `file` without the bodies of its definitions, positions in the file.
#[salsa::tracked(returns(ref))]
pub fn header_file(db: &dyn Db, file: SourceText) -> Arc<SourceFile> {
    let mut modules = Vec::new();
    for (piece, start) in &layout(db, file).pieces {
        for m in piece_headers(db, PieceKey::new(db, file, *piece)) {
            let mut m = m.clone();
            if *start > 0 {
                spec_syntax::shift_module(&mut m, *start);
            }
            modules.push(m);
        }
    }
    Arc::new(SourceFile { modules })
}

/// The syntax diagnostics of every piece of `file`, positions in the file.
#[salsa::tracked(returns(ref))]
pub fn syntax_diagnostics(db: &dyn Db, file: SourceText) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (piece, start) in &layout(db, file).pieces {
        let shift = |s: Span| Span { start: s.start + start, end: s.end + start, ..s };
        out.extend(piece_parsed(db, PieceKey::new(db, file, *piece)).diagnostics.iter().map(|d| {
            let mut d = d.clone();
            d.span = shift(d.span);
            for label in &mut d.labels {
                label.span = shift(label.span);
            }
            d
        }));
    }
    if layout(db, file).pieces.len() > 1 {
        out.sort_by_key(|d| (d.span.start, d.span.end));
    }
    out
}
