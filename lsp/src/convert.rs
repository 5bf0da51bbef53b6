//! Conversions between the analysis's terms and the protocol's: byte offsets and LSP
//! positions (lines and UTF-16 columns), paths and `file:` URIs, spans and locations, and
//! our diagnostics as LSP diagnostics. Positions past the end of a text are clamped.

use spec_analysis::{Analysis, Database, Db};
use spec_syntax::{Diagnostic as SpecDiagnostic, FileId, Severity, Span};
use tower_lsp_server::ls_types::*;

/// The diagnostics of `analysis` in the file `file`, as the protocol wants them.
pub(crate) fn diagnostics_in(db: &Database, analysis: &Analysis, file: FileId) -> Vec<Diagnostic> {
    let Some(source) = db.source(file) else { return Vec::new() };
    let text = source.text(db);
    analysis.diagnostics.iter().filter(|d| d.span.file == file).map(|d| to_lsp_diagnostic(db, text, d)).collect()
}

pub(crate) fn to_lsp_diagnostic(db: &Database, text: &str, d: &SpecDiagnostic) -> Diagnostic {
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

pub(crate) fn range(text: &str, span: Span) -> Range {
    Range { start: position(text, span.start as usize), end: position(text, span.end as usize) }
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
    fn file_uris_round_trip() {
        let uri: Uri = "file:///tmp/a%20b.qnt".parse().unwrap();
        assert_eq!(path_of(&uri), "/tmp/a b.qnt");
    }
}
