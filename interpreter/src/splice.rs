//! Where spliced text came from. Definitions given on the command line (`--invariant 'x > 0'`,
//! `spec eval EXPR`) are added to the main module's text before it is analysed; a diagnostic
//! about them must point at what the user typed (`<invariant>:1:3`), not at a line past the
//! end of their file, and diagnostics after the insertion must keep their own positions.
//! (Analysing such definitions as a separate database input would make this unnecessary.)

use crate::LoadError;
use spec_syntax::{FileId, Span};

/// One spliced expression: where it starts in the combined text, its text, and the name to
/// show for it.
pub(crate) struct Piece {
    pub start: usize,
    pub text: String,
    pub name: String,
}

/// Text inserted at `at` in `original` (`len` bytes), made of headers and `pieces`.
pub(crate) struct Splice {
    pub at: usize,
    pub len: usize,
    pub original: String,
    pub pieces: Vec<Piece>,
}

impl Splice {
    /// Rewrites the diagnostics of `error` (about the combined text of `root`) to point at
    /// the user's file and at the spliced expressions, each shown as a source of its own.
    pub(crate) fn remap(&self, root: FileId, error: &mut LoadError) {
        let ids: Vec<FileId> = self.pieces.iter().map(|p| error.sources.add(p.name.clone(), p.text.clone())).collect();
        let root_name = error.sources.name(root).to_string();
        error.sources.insert(root, root_name, self.original.clone());
        for d in &mut error.diagnostics {
            d.span = self.map(d.span, root, &ids);
            for label in &mut d.labels {
                label.span = self.map(label.span, root, &ids);
            }
        }
    }

    fn map(&self, span: Span, root: FileId, ids: &[FileId]) -> Span {
        if span.file != root {
            return span;
        }
        let (start, end) = (span.start as usize, span.end as usize);
        for (piece, id) in self.pieces.iter().zip(ids) {
            let piece_end = piece.start + piece.text.len();
            if start >= piece.start && start <= piece_end {
                return Span::new(*id, start - piece.start, end.min(piece_end) - piece.start);
            }
        }
        if start >= self.at + self.len {
            let (start, end) = (start - self.len, end - self.len);
            // The first token after the inserted text (an expression that ends too early is
            // reported at the module's closing brace): the end of what the user typed.
            let between = self.original.get(self.at..start).unwrap_or("");
            if let (true, Some((piece, id))) = (between.trim().is_empty(), self.pieces.last().zip(ids.last())) {
                let at = piece.text.trim_end().len();
                return Span::new(*id, at, at);
            }
            return Span::new(root, start, end);
        }
        if start >= self.at {
            // A header around a piece (`temporal __invariant0 =`): the piece's start.
            return match ids.first() {
                Some(id) => Span::new(*id, 0, 0),
                None => span,
            };
        }
        span
    }
}

/// The name a spliced definition is shown under: `__invariant0` is `<invariant>`.
pub(crate) fn shown_name(definition: &str) -> String {
    let base = definition.trim_start_matches('_').trim_end_matches(|c: char| c.is_ascii_digit());
    format!("<{base}>")
}
