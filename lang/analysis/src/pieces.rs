//! The modules of a file, each parsed in a query of its own, with positions relative to the
//! start of its piece of text. An edit inside one module parses that module again and
//! nothing else; an edit that moves the modules after it (a longer or shorter body) leaves
//! their pieces, and so their syntax trees, equal. Positions are made absolute only where
//! they are needed: [`header_file`] (the declarations of every module without the bodies of
//! their definitions, what name resolution reads) and [`syntax_diagnostics`].
//!
//! Positions in [`header_file`] do not move when text before them grows or shrinks: the
//! spans of the `i`th piece start at `i << PIECE_BITS` instead of where the piece starts in
//! the file, and inside a piece the `j`th declaration starts at `(j + 1) * STRIDE` (its
//! header is all that is kept of it), so that an edit inside one body leaves the
//! declarations of the whole program equal and they are not resolved again.
//! [`FilePositions`] turns such a position into one in the file. (A piece with more
//! declarations or longer headers than these positions hold keeps the positions of its
//! text; a file with more pieces, or a piece longer, than they hold has the positions of its
//! text throughout, and is resolved again when text moves.)
//!
//! A text that is not a sequence of modules with balanced braces (while a module is being
//! typed), or one piece of which does not parse into exactly one module, is one piece: the
//! whole text, parsed as `parsed` parses it.

use crate::db::{Db, SourceText};
use spec_syntax::ast::{Decl, DeclKind, Def, Module, SourceFile};
use spec_syntax::{Diagnostic, FileId, Span};
use std::collections::HashMap;
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

/// The pieces of a file, without where they start.
#[salsa::tracked(returns(ref))]
fn piece_list(db: &dyn Db, file: SourceText) -> Vec<u32> {
    layout(db, file).pieces.iter().map(|(piece, _)| *piece).collect()
}

/// How many low bits of a position in [`header_file`] are a position inside a piece.
const PIECE_BITS: u32 = 22;

/// How many bytes each declaration gets in the positions of [`stable_headers`].
const STRIDE: u32 = 1 << 12;

/// The headers of a piece of one module at positions that do not move when a body changes
/// length: the spans of its `j`th declaration start at `(j + 1) * STRIDE` (definitions end
/// where their header ends), the text before the first declaration keeps its positions.
/// `segments` says where each such stretch starts: (its position here, its position in
/// the piece).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StableHeaders {
    pub modules: Vec<Module>,
    pub segments: Vec<(u32, u32)>,
}

/// [`StableHeaders`] of a piece, or `None` when it has more than one module, more
/// declarations than the positions hold (those of a piece, or all of them when the piece is
/// the whole file), or a declaration whose header is longer than `STRIDE` bytes.
#[salsa::tracked(returns(ref))]
fn stable_headers<'db>(db: &'db dyn Db, key: PieceKey<'db>) -> Option<StableHeaders> {
    let [module] = piece_headers(db, key).as_slice() else { return None };
    // A file of one piece has every position for it.
    let room: u64 = if key.index(db) == WHOLE { 1 << 32 } else { 1 << PIECE_BITS };
    if (module.decls.len() as u64 + 1) * STRIDE as u64 >= room || module.name.span.end >= STRIDE || module.span.start >= STRIDE {
        return None;
    }
    let mut module = module.clone();
    module.span.end = module.name.span.end;
    let mut segments = vec![(0, 0)];
    for (j, decl) in module.decls.iter_mut().enumerate() {
        if let DeclKind::Def(def) = &mut decl.kind {
            let params = def.params.iter().flatten().map(|p| p.span.end);
            let header_end = params.chain(def.ret.iter().map(|t| t.span.end)).fold(def.name.span.end, u32::max);
            def.span.end = header_end;
            decl.span.end = header_end;
        }
        let start = decl.span.start;
        if decl.span.end < start || decl.span.end - start >= STRIDE {
            return None;
        }
        let at = (j as u32 + 1) * STRIDE;
        spec_syntax::shift_decl(decl, at.wrapping_sub(start));
        segments.push((at, start));
    }
    Some(StableHeaders { modules: vec![module], segments })
}

/// For each piece of `file`, whether its headers are placed as [`stable_headers`] (else at
/// positions relative to the piece), each piece at `i << PIECE_BITS`; `None` when the file
/// has too many pieces or a piece too long for that: then [`header_file`] has the positions
/// of the text.
#[salsa::tracked(returns(ref))]
fn placements(db: &dyn Db, file: SourceText) -> Option<Vec<bool>> {
    let pieces = piece_list(db, file);
    if pieces.len() >= 1 << (32 - PIECE_BITS) {
        return None;
    }
    pieces
        .iter()
        .map(|p| {
            let key = PieceKey::new(db, file, *p);
            if stable_headers(db, key).is_some() {
                Some(true)
            } else {
                (*p == WHOLE || piece_text(db, key).len() < 1 << PIECE_BITS).then_some(false)
            }
        })
        .collect()
}

/// Where the stretches of [`header_file`]'s positions of `file` start, with where they
/// start in the text, in order.
#[salsa::tracked(returns(ref))]
pub fn header_segments(db: &dyn Db, file: SourceText) -> Vec<(u32, u32)> {
    let Some(placements) = placements(db, file) else { return vec![(0, 0)] };
    let mut out = Vec::new();
    for (i, ((piece, start), stable)) in layout(db, file).pieces.iter().zip(placements).enumerate() {
        let base = (i as u32) << PIECE_BITS;
        match stable_headers(db, PieceKey::new(db, file, *piece)) {
            Some(headers) if *stable => out.extend(headers.segments.iter().map(|(at, from)| (base + at, start + from))),
            _ => out.push((base, *start)),
        }
    }
    out
}

/// A position of [`header_file`] as a position in the file's text.
fn to_file_position(segments: &[(u32, u32)], position: u32) -> u32 {
    let i = segments.partition_point(|(at, _)| *at <= position).saturating_sub(1);
    match segments.get(i) {
        Some((at, from)) => from.saturating_add(position.saturating_sub(*at)),
        None => position,
    }
}

/// Turns positions of [`header_file`] (of any file) into positions in the files' texts,
/// looking up each file's pieces once.
pub struct FilePositions<'a> {
    db: &'a dyn Db,
    by_file: HashMap<FileId, Option<&'a [(u32, u32)]>>,
}

impl<'a> FilePositions<'a> {
    pub fn new(db: &'a dyn Db) -> FilePositions<'a> {
        FilePositions { db, by_file: HashMap::new() }
    }

    pub fn span(&mut self, span: Span) -> Span {
        let db = self.db;
        let found = *self.by_file.entry(span.file).or_insert_with(|| db.source(span.file).map(|file| header_segments(db, file).as_slice()));
        match found {
            Some(segments) => Span { start: to_file_position(segments, span.start), end: to_file_position(segments, span.end), ..span },
            None => span,
        }
    }

    pub fn diagnostic(&mut self, mut diagnostic: Diagnostic) -> Diagnostic {
        diagnostic.span = self.span(diagnostic.span);
        for label in &mut diagnostic.labels {
            label.span = self.span(label.span);
        }
        diagnostic
    }
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

/// Every module of `file` without the bodies of its definitions, at positions that do not
/// move when text before them does (see the module documentation; [`FilePositions`] gives
/// positions in the text).
#[salsa::tracked(returns(ref))]
pub fn header_file(db: &dyn Db, file: SourceText) -> Arc<SourceFile> {
    let mut modules = Vec::new();
    match placements(db, file) {
        Some(placements) => {
            for (i, (piece, stable)) in piece_list(db, file).iter().zip(placements).enumerate() {
                let key = PieceKey::new(db, file, *piece);
                let headers = match stable_headers(db, key) {
                    Some(headers) if *stable => &headers.modules,
                    _ => piece_headers(db, key),
                };
                for m in headers {
                    let mut m = m.clone();
                    spec_syntax::shift_module(&mut m, (i as u32) << PIECE_BITS);
                    modules.push(m);
                }
            }
        }
        None => {
            for (piece, start) in &layout(db, file).pieces {
                for m in piece_headers(db, PieceKey::new(db, file, *piece)) {
                    let mut m = m.clone();
                    spec_syntax::shift_module(&mut m, *start);
                    modules.push(m);
                }
            }
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
