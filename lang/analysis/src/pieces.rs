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

/// What a piece of text is parsed as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PieceKind {
    /// Whole modules (parsed as a file).
    File,
    /// The start of a long module, up to its first chunk of declarations (parsed as a file
    /// with the module closed right there).
    Head,
    /// Declarations of a long module (parsed as declarations).
    Decls,
}

/// A module longer than this is cut into a head and chunks of declarations.
const LONG_MODULE: usize = 64 * 1024;

/// How many declarations a chunk of a long module holds.
const CHUNK_DECLS: usize = 32;

/// Where the pieces of a file start and end, and what each is: one per top-level module
/// when the text is a sequence of modules with balanced braces (a long module is cut
/// further, see [`PieceKind`]), else none (the whole text is one piece).
#[salsa::tracked(returns(ref))]
fn cuts(db: &dyn Db, file: SourceText) -> Vec<(u32, u32, PieceKind)> {
    let text = file.text(db);
    if text.len() > MAX_SPLIT || text.starts_with("#!") {
        return Vec::new();
    }
    let Some(ends) = spec_syntax::module_ends(text) else { return Vec::new() };
    let mut ranges = Vec::with_capacity(ends.len());
    let mut start = 0;
    for (i, &end) in ends.iter().enumerate() {
        let end = if i + 1 == ends.len() { text.len() } else { end };
        ranges.push((start, end));
        start = end;
    }
    let mut out = Vec::new();
    for &(start, end) in &ranges {
        match (end - start > LONG_MODULE).then(|| declaration_starts(text, start, end)).flatten() {
            Some((starts, close)) => {
                out.push((start as u32, starts[0] as u32, PieceKind::Head));
                for (k, chunk) in starts.chunks(CHUNK_DECLS).enumerate() {
                    let chunk_end = starts.get((k + 1) * CHUNK_DECLS).copied().unwrap_or(close);
                    out.push((chunk[0] as u32, chunk_end as u32, PieceKind::Decls));
                }
            }
            None => out.push((start as u32, end as u32, PieceKind::File)),
        }
    }
    if out.len() < 2 {
        return Vec::new();
    }
    out
}

/// Keywords that start a declaration of a module.
const DECLARATION_KEYWORDS: &[&str] = &["const", "var", "val", "def", "pure", "action", "temporal", "run", "type", "import", "export", "assume"];

/// In the module written at `start..end` of `text`: where its declarations start (lines
/// inside its braces, not nested deeper, that begin with a declaration keyword, or with
/// the `///` comment that documents one), and where its closing brace is. `None` when there
/// is no such line. A line found here that is not really the start of a declaration (a
/// `val` of an expression written without braces) leaves a chunk that does not parse alone,
/// and the file is then parsed whole.
fn declaration_starts(text: &str, start: usize, end: usize) -> Option<(Vec<usize>, usize)> {
    let bytes = text.as_bytes();
    let mut starts = Vec::new();
    let mut depth = 0usize;
    let mut at_line_start = false;
    let mut in_doc = false;
    let mut i = start;
    while i < end {
        let b = bytes[i];
        if at_line_start && depth == 1 {
            at_line_start = false;
            let line = i;
            while i < end && (bytes[i] == b' ' || bytes[i] == b'\t') {
                i += 1;
            }
            let rest = &text[i..end];
            if rest.starts_with("///") {
                if !in_doc {
                    starts.push(line);
                    in_doc = true;
                }
            } else if DECLARATION_KEYWORDS.iter().any(|k| rest.starts_with(k) && rest.as_bytes().get(k.len()).is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))) {
                if !in_doc {
                    starts.push(line);
                }
                in_doc = false;
            } else if !(rest.starts_with('\n') || rest.starts_with("\r\n")) {
                in_doc = false;
            }
            continue;
        }
        match b {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = bytes[i..end].iter().position(|c| *c == b'\n').map(|n| i + n).unwrap_or(end);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let close = text[i + 2..end].find("*/")?;
                i += 2 + close + 2;
                continue;
            }
            b'"' => {
                let close = bytes[i + 1..end].iter().position(|c| *c == b'"')?;
                i += 1 + close + 1;
                continue;
            }
            b'\n' => at_line_start = true,
            b'{' => depth += 1,
            b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return (!starts.is_empty()).then_some((starts, i));
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The text of a piece and what it is: equal after an edit elsewhere, so that its parse is
/// kept. A head is closed with a `}` here.
#[salsa::tracked(returns(ref))]
fn piece_text<'db>(db: &'db dyn Db, key: PieceKey<'db>) -> (PieceKind, String) {
    let file = key.file(db);
    let text = file.text(db);
    if key.index(db) == WHOLE {
        return (PieceKind::File, text.clone());
    }
    match cuts(db, file).get(key.index(db) as usize) {
        Some((s, e, kind)) => {
            let mut piece = text.get(*s as usize..*e as usize).unwrap_or_default().to_string();
            if *kind == PieceKind::Head {
                piece.push('}');
            }
            (*kind, piece)
        }
        None => (PieceKind::File, String::new()),
    }
}

/// A piece parsed alone: its modules (or declarations) and diagnostics, positions relative
/// to its start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedPiece {
    pub kind: PieceKind,
    pub modules: Vec<Module>,
    pub decls: Vec<Decl>,
    pub diagnostics: Vec<Diagnostic>,
}

#[salsa::tracked(returns(ref))]
pub fn piece_parsed<'db>(db: &'db dyn Db, key: PieceKey<'db>) -> ParsedPiece {
    let (kind, text) = piece_text(db, key);
    let file = FileId(key.file(db).id(db));
    match kind {
        PieceKind::File | PieceKind::Head => {
            let (ast, diagnostics) = spec_syntax::parse_uncached(text, file);
            ParsedPiece { kind: *kind, modules: ast.modules, decls: Vec::new(), diagnostics }
        }
        PieceKind::Decls => {
            let (decls, diagnostics) = spec_syntax::parse_decls(text, file);
            ParsedPiece { kind: *kind, modules: Vec::new(), decls, diagnostics }
        }
    }
}

/// Where a module's syntax is: the piece and index of its module (with the declarations
/// written there), and the chunks of its other declarations with how many each holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleParts {
    pub head: (u32, u32),
    pub head_decls: u32,
    pub chunks: Vec<(u32, u32)>,
}

/// How a file is cut: each piece with its start, and the parts of each module of the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    pub pieces: Vec<(u32, u32)>,
    pub modules: Vec<ModuleParts>,
}

#[salsa::tracked(returns(ref))]
pub fn layout(db: &dyn Db, file: SourceText) -> Layout {
    let mut layout = Layout::default();
    for (i, (start, _, kind)) in cuts(db, file).iter().enumerate() {
        let parsed = piece_parsed(db, PieceKey::new(db, file, i as u32));
        let fits = match kind {
            PieceKind::File => parsed.modules.len() == 1,
            // Cut where a declaration starts, the head and the chunks parse without errors
            // (else the cut was not where a declaration starts).
            PieceKind::Head => parsed.modules.len() == 1 && parsed.diagnostics.is_empty(),
            PieceKind::Decls => parsed.diagnostics.is_empty() && !parsed.decls.is_empty() && !layout.modules.is_empty(),
        };
        if !fits {
            layout = Layout::default();
            break;
        }
        layout.pieces.push((i as u32, *start));
        match kind {
            PieceKind::File | PieceKind::Head => layout.modules.push(ModuleParts { head: (i as u32, 0), head_decls: parsed.modules[0].decls.len() as u32, chunks: Vec::new() }),
            PieceKind::Decls => {
                if let Some(m) = layout.modules.last_mut() {
                    m.chunks.push((i as u32, parsed.decls.len() as u32));
                }
            }
        }
    }
    if layout.pieces.is_empty() {
        let parsed = piece_parsed(db, PieceKey::new(db, file, WHOLE));
        let modules = parsed.modules.iter().enumerate().map(|(m, module)| ModuleParts { head: (WHOLE, m as u32), head_decls: module.decls.len() as u32, chunks: Vec::new() }).collect();
        layout = Layout { pieces: vec![(WHOLE, 0)], modules };
    }
    layout
}

/// Where each module of `file` is written, in the file's positions and the order of the
/// text, as a parse of the whole text gives it: [`header_file`]'s positions of a module's
/// end fall where its bodies were left out, so they do not map back to the file.
#[salsa::tracked(returns(ref))]
pub fn module_spans(db: &dyn Db, file: SourceText) -> Vec<Span> {
    let layout = layout(db, file);
    let starts: HashMap<u32, u32> = layout.pieces.iter().copied().collect();
    let cuts = cuts(db, file);
    let mut spans = Vec::with_capacity(layout.modules.len());
    for parts in &layout.modules {
        let (piece, index) = parts.head;
        let Some(module) = piece_parsed(db, PieceKey::new(db, file, piece)).modules.get(index as usize) else { continue };
        let base = starts.get(&piece).copied().unwrap_or_default();
        let mut span = Span { start: module.span.start + base, end: module.span.end + base, ..module.span };
        // A long module's head is parsed closed where its first chunk starts; the module
        // ends at the brace after its last chunk.
        if let Some((_, close, _)) = parts.chunks.last().and_then(|(last, _)| cuts.get(*last as usize)) {
            span.end = close + 1;
        }
        spans.push(span);
    }
    spans
}

/// The parts of every module of a file, without where they start.
#[salsa::tracked(returns(ref))]
fn module_parts(db: &dyn Db, file: SourceText) -> Vec<ModuleParts> {
    layout(db, file).modules.clone()
}

/// The parts of one module: equal after edits that only move it or change its bodies.
#[salsa::tracked(returns(ref))]
pub fn module_place<'db>(db: &'db dyn Db, key: ModuleKey<'db>) -> Option<ModuleParts> {
    module_parts(db, key.file(db)).get(key.module(db) as usize).cloned()
}

/// The syntax tree of the `decl`th declaration of the `module`th module of `file`,
/// positions relative to its piece.
pub fn decl_ast(db: &dyn Db, file: SourceText, module: u32, decl: u32) -> Option<&Decl> {
    let parts = module_place(db, ModuleKey::new(db, file, module)).as_ref()?;
    let (piece, within) = parts.head;
    if decl < parts.head_decls {
        return piece_parsed(db, PieceKey::new(db, file, piece)).modules.get(within as usize)?.decls.get(decl as usize);
    }
    let mut index = decl - parts.head_decls;
    for (chunk, count) in &parts.chunks {
        if index < *count {
            return piece_parsed(db, PieceKey::new(db, file, *chunk)).decls.get(index as usize);
        }
        index -= count;
    }
    None
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

/// The headers of a piece of one module (or of a chunk of declarations) at positions that
/// do not move when a body changes length: the spans of its `j`th declaration start at
/// `(j + 1) * STRIDE` (definitions end where their header ends), the text before the first
/// declaration keeps its positions. `segments` says where each such stretch starts: (its
/// position here, its position in the piece).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StableHeaders {
    pub headers: PieceHeaders,
    pub segments: Vec<(u32, u32)>,
}

/// [`StableHeaders`] of a piece, or `None` when it has more than one module, more
/// declarations than the positions hold (those of a piece, or all of them when the piece is
/// the whole file), or a declaration whose header is longer than `STRIDE` bytes.
#[salsa::tracked(returns(ref))]
fn stable_headers<'db>(db: &'db dyn Db, key: PieceKey<'db>) -> Option<StableHeaders> {
    let headers = piece_headers(db, key);
    // A file of one piece has every position for it.
    let room: u64 = if key.index(db) == WHOLE { 1 << 32 } else { 1 << PIECE_BITS };
    let mut stable = headers.clone();
    let decls = match stable.modules.as_mut_slice() {
        [] if !stable.decls.is_empty() => &mut stable.decls,
        [module] if stable.decls.is_empty() => {
            if module.name.span.end >= STRIDE || module.span.start >= STRIDE {
                return None;
            }
            module.span.end = module.name.span.end;
            &mut module.decls
        }
        _ => return None,
    };
    if (decls.len() as u64 + 1) * STRIDE as u64 >= room {
        return None;
    }
    let mut segments = vec![(0, 0)];
    for (j, decl) in decls.iter_mut().enumerate() {
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
    Some(StableHeaders { headers: stable, segments })
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
                (*p == WHOLE || piece_text(db, key).1.len() < 1 << PIECE_BITS).then_some(false)
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

/// The modules (or declarations) of a piece without the bodies of their definitions: equal
/// after an edit inside a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PieceHeaders {
    pub modules: Vec<Module>,
    pub decls: Vec<Decl>,
}

/// A declaration without the body of its definition.
fn header_of(d: &Decl) -> Decl {
    match &d.kind {
        DeclKind::Def(def) => Decl {
            kind: DeclKind::Def(Def { qualifier: def.qualifier, name: def.name.clone(), params: def.params.clone(), ret: def.ret.clone(), body: None, span: def.span }),
            doc: d.doc.clone(),
            span: d.span,
        },
        _ => d.clone(),
    }
}

#[salsa::tracked(returns(ref))]
fn piece_headers<'db>(db: &'db dyn Db, key: PieceKey<'db>) -> PieceHeaders {
    let parsed = piece_parsed(db, key);
    PieceHeaders {
        modules: parsed.modules.iter().map(|m| Module { name: m.name.clone(), doc: m.doc.clone(), span: m.span, decls: m.decls.iter().map(header_of).collect() }).collect(),
        decls: parsed.decls.iter().map(header_of).collect(),
    }
}

/// Every module of `file` without the bodies of its definitions, at positions that do not
/// move when text before them does (see the module documentation; [`FilePositions`] gives
/// positions in the text).
#[salsa::tracked(returns(ref))]
pub fn header_file(db: &dyn Db, file: SourceText) -> Arc<SourceFile> {
    let placements = placements(db, file);
    let starts = placements.is_none().then(|| layout(db, file).pieces.clone()).unwrap_or_default();
    let ordinals: std::collections::HashMap<u32, usize> = piece_list(db, file).iter().enumerate().map(|(i, p)| (*p, i)).collect();
    // Each piece's headers and where its positions start.
    let piece = |p: u32| -> (&PieceHeaders, u32) {
        let key = PieceKey::new(db, file, p);
        let i = ordinals.get(&p).copied().unwrap_or_default();
        match &placements {
            Some(stable) => {
                let headers = match stable_headers(db, key) {
                    Some(s) if stable.get(i).copied().unwrap_or(false) => &s.headers,
                    _ => piece_headers(db, key),
                };
                (headers, (i as u32) << PIECE_BITS)
            }
            None => (piece_headers(db, key), starts.get(i).map(|(_, s)| *s).unwrap_or_default()),
        }
    };
    let mut modules = Vec::new();
    for parts in module_parts(db, file) {
        let (headers, base) = piece(parts.head.0);
        let Some(mut module) = headers.modules.get(parts.head.1 as usize).cloned() else { continue };
        spec_syntax::shift_module(&mut module, base);
        for (chunk, _) in &parts.chunks {
            let (headers, base) = piece(*chunk);
            for decl in &headers.decls {
                let mut decl = decl.clone();
                spec_syntax::shift_decl(&mut decl, base);
                module.decls.push(decl);
            }
        }
        modules.push(module);
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
