//! Conversions between the analysis's terms and the protocol's: byte offsets and LSP
//! positions (lines and UTF-16 columns), paths and `file:` URIs, spans and locations, and
//! our diagnostics as LSP diagnostics. Positions past the end of a text are clamped.

use spec_analysis::{Database, Db};
use spec_syntax::{Diagnostic as SpecDiagnostic, FileId, Severity, Span};
use tower_lsp_server::ls_types::*;

/// Those of `diagnostics` that are in the file `file`, as the protocol wants them.
pub(crate) fn diagnostics_in(db: &Database, diagnostics: &[SpecDiagnostic], file: FileId) -> Vec<Diagnostic> {
    let Some(source) = db.source(file) else { return Vec::new() };
    let text = source.text(db);
    let mine: Vec<&SpecDiagnostic> = diagnostics.iter().filter(|d| d.span.file == file).collect();
    if mine.is_empty() {
        return Vec::new();
    }
    let mut lines = Lines::default();
    mine.into_iter().map(|d| to_lsp_diagnostic(db, text, d, &mut lines)).collect()
}

/// Line indexes of the files a batch of diagnostics points into, built when first needed.
#[derive(Default)]
pub(crate) struct Lines {
    by_file: std::collections::HashMap<FileId, LineIndex>,
}

impl Lines {
    fn range(&mut self, file: FileId, text: &str, span: Span) -> Range {
        self.by_file.entry(file).or_insert_with(|| LineIndex::new(text)).range(text, span)
    }
}

pub(crate) fn to_lsp_diagnostic(db: &Database, text: &str, d: &SpecDiagnostic, lines: &mut Lines) -> Diagnostic {
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
                location: Location { uri: uri_of(source.path(db))?, range: lines.range(l.span.file, source.text(db), l.span) },
                message: l.message.clone(),
            })
        })
        .collect();
    Diagnostic {
        range: lines.range(d.span.file, text, d.span),
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

pub(crate) fn uri_of(path: &str) -> Option<Uri> {
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

/// An LSP position (line, UTF-16 column) for a byte offset. For many positions in one
/// text, build a [`LineIndex`] once instead: this scans the text up to `offset`.
pub fn position(text: &str, offset: usize) -> Position {
    LineIndex::new(text).position(text, offset)
}

/// Where the lines of a text start, to turn many byte offsets into positions without
/// scanning the text for each (a 5,000-line file has a hundred thousand tokens to colour).
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The position of `offset` in `text` (the text this index was built from).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_boundary(text, offset.min(text.len()));
        let line = self.starts.partition_point(|s| *s <= offset).saturating_sub(1);
        let line_start = self.starts[line].min(offset);
        let character = text[line_start..offset].encode_utf16().count();
        Position { line: line as u32, character: character as u32 }
    }

    pub fn range(&self, text: &str, span: Span) -> Range {
        Range { start: self.position(text, span.start as usize), end: self.position(text, span.end as usize) }
    }
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

pub(crate) fn range(text: &str, span: Span) -> Range {
    Range { start: position(text, span.start as usize), end: position(text, span.end as usize) }
}

/// The locations of many spans (each file's lines indexed once), in order; spans in files
/// the database does not know are left out.
pub(crate) fn locations(db: &Database, spans: impl IntoIterator<Item = Span>) -> Vec<Location> {
    let mut files: std::collections::HashMap<FileId, Option<(Uri, LineIndex)>> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for span in spans {
        let Some(source) = db.source(span.file) else { continue };
        let known = files.entry(span.file).or_insert_with(|| Some((uri_of(source.path(db))?, LineIndex::new(source.text(db)))));
        if let Some((uri, lines)) = known {
            out.push(Location { uri: uri.clone(), range: lines.range(source.text(db), span) });
        }
    }
    out
}

pub(crate) fn location(db: &Database, span: Span) -> Option<Location> {
    let source = db.source(span.file)?;
    Some(Location { uri: uri_of(source.path(db))?, range: range(source.text(db), span) })
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
    fn a_line_index_agrees_with_scanning() {
        let text = "ab\nxé𝄞z\n\nlast";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            let scanned = {
                let offset = floor_boundary(text, offset.min(text.len()));
                let before = &text[..offset];
                let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
                Position { line: before.matches('\n').count() as u32, character: before[line_start..].encode_utf16().count() as u32 }
            };
            assert_eq!(index.position(text, offset), scanned, "offset {offset}");
        }
    }

    #[test]
    fn file_uris_round_trip() {
        let uri: Uri = "file:///tmp/a%20b.qnt".parse().unwrap();
        assert_eq!(path_of(&uri), "/tmp/a b.qnt");
    }
}
