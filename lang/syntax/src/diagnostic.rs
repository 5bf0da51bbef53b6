//! One diagnostic type for every stage (parse, names, types, modes, runtime), independent
//! of how it is shown. The CLI renders it with codespan-reporting, `--json` serializes it,
//! and the language server converts it. Codes are enum variants, never parsed from text.

use crate::span::{line_col, FileId, Span};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{self, Files};
use codespan_reporting::term;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

/// What kind of mistake a diagnostic reports. `Code::id` gives a stable short name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Code {
    // syntax
    UnexpectedToken,
    UnexpectedEnd,
    InvalidToken,
    UnterminatedString,
    UnterminatedComment,
    InvalidLambdaParams,
    InvalidOperatorType,
    TooDeep,
    NotUtf8,
    AssignNotEq,
    // files and modules
    FileNotFound,
    UnknownModule,
    ImportCycle,
    DuplicateModule,
    // names
    UnknownName,
    UnknownType,
    DuplicateDefinition,
    ShadowedName,
    DefinitionCycle,
    UnknownConstant,
    MissingConstant,
    // types
    TypeMismatch,
    WrongArity,
    NoSuchField,
    NotExhaustive,
    UnknownVariant,
    InfiniteType,
    AnnotationMismatch,
    /// A `match` arm after `_`: it never runs.
    UnreachableArm,
    // modes
    ModeMismatch,
    AssignToNonVariable,
    DoubleAssignment,
    BranchAssignments,
    MisplacedNondet,
    MissingAssignment,
    // everything else
    Unsupported,
    Runtime,
}

impl Code {
    /// A stable identifier, e.g. for `--json` output and documentation.
    pub fn id(self) -> &'static str {
        match self {
            Code::UnexpectedToken => "S001",
            Code::UnexpectedEnd => "S002",
            Code::InvalidToken => "S003",
            Code::UnterminatedString => "S004",
            Code::UnterminatedComment => "S005",
            Code::InvalidLambdaParams => "S006",
            Code::InvalidOperatorType => "S007",
            Code::TooDeep => "S008",
            Code::NotUtf8 => "S009",
            Code::AssignNotEq => "S010",
            Code::FileNotFound => "M001",
            Code::UnknownModule => "M002",
            Code::ImportCycle => "M003",
            Code::DuplicateModule => "M004",
            Code::UnknownName => "N001",
            Code::UnknownType => "N002",
            Code::DuplicateDefinition => "N003",
            Code::ShadowedName => "N004",
            Code::DefinitionCycle => "N005",
            Code::UnknownConstant => "N006",
            Code::MissingConstant => "N007",
            Code::TypeMismatch => "T001",
            Code::WrongArity => "T002",
            Code::NoSuchField => "T003",
            Code::NotExhaustive => "T004",
            Code::UnknownVariant => "T005",
            Code::InfiniteType => "T006",
            Code::AnnotationMismatch => "T007",
            Code::UnreachableArm => "T008",
            Code::ModeMismatch => "E001",
            Code::AssignToNonVariable => "E002",
            Code::DoubleAssignment => "E003",
            Code::BranchAssignments => "E004",
            Code::MisplacedNondet => "E005",
            Code::MissingAssignment => "E006",
            Code::Unsupported => "U001",
            Code::Runtime => "R001",
        }
    }
}

/// A secondary place worth showing, with a short message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    /// Where the problem is; the message under the caret is `primary_label`.
    pub span: Span,
    pub primary_label: String,
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span,
            primary_label: String::new(),
            labels: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, span, message) }
    }

    /// The text under the caret.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.primary_label = label.into();
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The source texts diagnostics refer to, by `FileId`. Implements codespan's `Files`.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceEntry>,
}

#[derive(Clone, Debug)]
struct SourceEntry {
    name: String,
    text: String,
    line_starts: Vec<usize>,
    /// Whether diagnostics may quote the text (not for a file that is not a spec).
    quoted: bool,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let text = text.into();
        let line_starts = files::line_starts(&text).collect();
        self.files.push(SourceEntry { name: name.into(), text, line_starts, quoted: true });
        FileId(self.files.len() as u32 - 1)
    }

    /// Adds a file under a given id (grows the table with empty files if needed).
    pub fn insert(&mut self, id: FileId, name: impl Into<String>, text: impl Into<String>) {
        while self.files.len() <= id.0 as usize {
            self.files.push(SourceEntry { name: String::new(), text: String::new(), line_starts: vec![0], quoted: true });
        }
        let text = text.into();
        let line_starts = files::line_starts(&text).collect();
        self.files[id.0 as usize] = SourceEntry { name: name.into(), text, line_starts, quoted: true };
    }

    /// Like `insert`, for a file whose lines diagnostics must not quote (a file that is not a
    /// spec, given where a spec was expected: `/etc/passwd`): they give its name and position.
    pub fn insert_unquoted(&mut self, id: FileId, name: impl Into<String>, text: impl Into<String>) {
        self.insert(id, name, text);
        self.files[id.0 as usize].quoted = false;
    }

    /// How to render `diagnostic`: with the quoted lines, or on one line when it refers to a
    /// file whose lines must not be quoted.
    fn config_for(&self, diagnostic: &Diagnostic) -> term::Config {
        let quoted = |span: Span| self.files.get(span.file.0 as usize).is_none_or(|f| f.quoted);
        if quoted(diagnostic.span) && diagnostic.labels.iter().all(|l| quoted(l.span)) {
            term::Config::default()
        } else {
            term::Config { display_style: term::DisplayStyle::Short, ..term::Config::default() }
        }
    }

    pub fn name(&self, id: FileId) -> &str {
        self.files.get(id.0 as usize).map(|f| f.name.as_str()).unwrap_or("<unknown>")
    }

    pub fn text(&self, id: FileId) -> &str {
        self.files.get(id.0 as usize).map(|f| f.text.as_str()).unwrap_or("")
    }

    /// `(line, column)`, 1-based, of the start of `span`.
    pub fn line_col(&self, span: Span) -> (usize, usize) {
        line_col(self.text(span.file), span.start as usize)
    }

    fn entry(&self, id: FileId) -> Result<&SourceEntry, files::Error> {
        self.files.get(id.0 as usize).ok_or(files::Error::FileMissing)
    }

    /// Renders diagnostics as codespan does for a terminal, without colours.
    pub fn render(&self, diagnostics: &[Diagnostic]) -> String {
        let mut out = String::new();
        for diagnostic in diagnostics {
            match term::emit_into_string(&self.config_for(diagnostic), self, &to_codespan(diagnostic)) {
                Ok(text) => out.push_str(&text),
                Err(_) => out.push_str(&format!("error: {}\n", diagnostic.message)),
            }
        }
        out
    }

    /// Renders diagnostics to a terminal stream, in colour when `color` is true.
    pub fn emit(&self, diagnostics: &[Diagnostic], color: bool) {
        use std::io::Write;
        use term::termcolor::{BufferedStandardStream, ColorChoice};
        let choice = if color { ColorChoice::Auto } else { ColorChoice::Never };
        // Buffered: stderr is not, and codespan writes a diagnostic in many small pieces
        // (999 warnings quoting an 8 KB line took 9 s in system calls).
        let mut stream = BufferedStandardStream::stderr(choice);
        for diagnostic in diagnostics {
            if term::emit_to_write_style(&mut stream, &self.config_for(diagnostic), self, &to_codespan(diagnostic)).is_err() {
                let _ = writeln!(stream, "error: {}", diagnostic.message);
            }
        }
        let _ = stream.flush();
    }

    /// The diagnostics as JSON values: code, severity, message, file, 1-based line and
    /// column of start and end, labels, notes and help.
    pub fn to_json(&self, diagnostics: &[Diagnostic]) -> serde_json::Value {
        let place = |span: Span| {
            let text = self.text(span.file);
            let (line, column) = line_col(text, span.start as usize);
            let (end_line, end_column) = line_col(text, span.end as usize);
            serde_json::json!({
                "file": self.name(span.file),
                "line": line, "column": column,
                "end_line": end_line, "end_column": end_column,
                "start": span.start, "end": span.end,
            })
        };
        serde_json::Value::Array(
            diagnostics
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "code": d.code.id(),
                        "kind": format!("{:?}", d.code),
                        "severity": d.severity,
                        "message": d.message,
                        "location": place(d.span),
                        "label": d.primary_label,
                        "labels": d.labels.iter().map(|l| serde_json::json!({
                            "location": place(l.span), "message": l.message
                        })).collect::<Vec<_>>(),
                        "notes": d.notes,
                        "help": d.help,
                    })
                })
                .collect(),
        )
    }
}

fn to_codespan(d: &Diagnostic) -> cs::Diagnostic<FileId> {
    let severity = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
        Severity::Note => cs::Severity::Note,
    };
    let mut labels = vec![cs::Label::primary(d.span.file, d.span.range()).with_message(d.primary_label.clone())];
    labels.extend(d.labels.iter().map(|l| cs::Label::secondary(l.span.file, l.span.range()).with_message(l.message.clone())));
    let mut notes = d.notes.clone();
    if let Some(help) = &d.help {
        notes.push(format!("help: {help}"));
    }
    cs::Diagnostic::new(severity)
        .with_code(d.code.id())
        .with_message(d.message.clone())
        .with_labels(labels)
        .with_notes(notes)
}

impl<'a> Files<'a> for SourceMap {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, files::Error> {
        Ok(self.entry(id)?.name.as_str())
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, files::Error> {
        Ok(self.entry(id)?.text.as_str())
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, files::Error> {
        let starts = &self.entry(id)?.line_starts;
        Ok(starts.binary_search(&byte_index).unwrap_or_else(|next| next.saturating_sub(1)))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<std::ops::Range<usize>, files::Error> {
        let entry = self.entry(id)?;
        let start = *entry
            .line_starts
            .get(line_index)
            .ok_or(files::Error::LineTooLarge { given: line_index, max: entry.line_starts.len().saturating_sub(1) })?;
        let end = entry.line_starts.get(line_index + 1).copied().unwrap_or(entry.text.len());
        Ok(start..end)
    }
}
