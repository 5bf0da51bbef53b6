//! Documentation of a file's declarations, from their `///` comments: what `spec docs`
//! prints. Quint's `docs` command gives, for each module, a Markdown page with every
//! declaration's name, signature (as written: the declared types, not inferred ones) and
//! comment; this module builds the same pages from the syntax tree alone, so a file with
//! type errors still has its documentation.
//!
//! Two things are done better than Quint on purpose: the comment of a sum type stays on the
//! type (Quint moves it to the last constructor), and an `assume` shows its condition as
//! written (Quint prints its internal form, `igt(N, 0)`). A module's own comment is shown
//! under its title.

use crate::ast::{Decl, DeclKind, Def, Module, SourceFile, Type, TypeKind};

/// The documentation of one module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleDocs {
    pub name: String,
    pub doc: Option<String>,
    pub entries: Vec<DocEntry>,
}

/// One declaration: a definition, a variable, a constant, a type, an assumption, or a
/// constructor of a sum type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocEntry {
    pub name: String,
    pub kind: EntryKind,
    /// The declaration without its body (`pure def double: (int) => int`).
    pub signature: String,
    pub doc: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    Const,
    Var,
    Assume,
    Type,
    Constructor,
    Def,
}

impl EntryKind {
    pub fn name(self) -> &'static str {
        match self {
            EntryKind::Const => "const",
            EntryKind::Var => "var",
            EntryKind::Assume => "assume",
            EntryKind::Type => "type",
            EntryKind::Constructor => "constructor",
            EntryKind::Def => "def",
        }
    }
}

/// The documentation of every module of a parsed file; `text` is the file's text (an
/// `assume` shows its condition as written).
pub fn file_docs(file: &SourceFile, text: &str) -> Vec<ModuleDocs> {
    file.modules.iter().map(|m| module_docs(m, text)).collect()
}

fn module_docs(module: &Module, text: &str) -> ModuleDocs {
    let mut entries = Vec::new();
    for decl in &module.decls {
        entries.extend(decl_entries(decl, text));
    }
    ModuleDocs { name: module.name.name.clone(), doc: module.doc.clone(), entries }
}

fn decl_entries(decl: &Decl, text: &str) -> Vec<DocEntry> {
    let entry = |name: &str, kind: EntryKind, signature: String| DocEntry { name: name.to_string(), kind, signature, doc: decl.doc.clone() };
    match &decl.kind {
        DeclKind::Const { name, ty } => vec![entry(&name.name, EntryKind::Const, format!("const {}: {}", name.name, type_text(ty)))],
        DeclKind::Var { name, ty } => vec![entry(&name.name, EntryKind::Var, format!("var {}: {}", name.name, type_text(ty)))],
        DeclKind::Assume { name, expr } => {
            let name = name.as_ref().map(|n| n.name.as_str()).unwrap_or("_");
            let condition = text.get(expr.span.start as usize..expr.span.end as usize).unwrap_or("...");
            vec![entry(name, EntryKind::Assume, format!("assume {name} = {condition}"))]
        }
        DeclKind::TypeAlias { name, params, ty } => {
            let signature = match ty {
                Some(ty) => format!("type {}{} = {}", name.name, type_params(params.iter().map(|p| p.name.as_str())), type_text(ty)),
                None => format!("type {}", name.name),
            };
            vec![entry(&name.name, EntryKind::Type, signature)]
        }
        DeclKind::SumType { name, params, variants } => {
            let params_text = type_params(params.iter().map(|p| p.name.as_str()));
            let alternatives: Vec<String> = variants.iter().map(|v| match &v.payload {
                Some(payload) => format!("{}({})", v.name.name, type_text(payload)),
                None => v.name.name.clone(),
            }).collect();
            let mut entries = vec![entry(&name.name, EntryKind::Type, format!("type {}{params_text} = ({})", name.name, alternatives.join(" | ")))];
            let result = format!("{}{params_text}", name.name);
            for v in variants {
                let signature = match &v.payload {
                    Some(payload) => format!("def {}: ({}) => {result}", v.name.name, type_text(payload)),
                    None => format!("val {}: {result}", v.name.name),
                };
                entries.push(DocEntry { name: v.name.name.clone(), kind: EntryKind::Constructor, signature, doc: None });
            }
            entries
        }
        DeclKind::Def(def) => vec![entry(&def.name.name, EntryKind::Def, def_signature(def))],
        DeclKind::Import(_) | DeclKind::Export(_) | DeclKind::Error => Vec::new(),
    }
}

fn type_params<'a>(params: impl Iterator<Item = &'a str>) -> String {
    let params: Vec<&str> = params.collect();
    if params.is_empty() {
        String::new()
    } else {
        format!("[{}]", params.join(", "))
    }
}

/// `qualifier name: type`, the type as Quint reads the annotation: an operator type when
/// every parameter and the result are annotated, the written result type otherwise.
fn def_signature(def: &Def) -> String {
    let head = format!("{} {}", def.qualifier.keyword(), def.name.name);
    let params = def.params.as_deref().unwrap_or(&[]);
    let param_types: Option<Vec<&Type>> = params.iter().map(|p| p.ty.as_ref()).collect();
    match (&def.ret, param_types) {
        (Some(ret), Some(types)) if !types.is_empty() => {
            format!("{head}: ({}) => {}", types.iter().map(|t| type_text(t)).collect::<Vec<_>>().join(", "), type_text(ret))
        }
        (Some(ret), _) => format!("{head}: {}", type_text(ret)),
        (None, _) => head,
    }
}

/// A type as Quint prints it: maps in parentheses (`(int -> str)`), records with spaces
/// inside their braces.
pub fn type_text(ty: &Type) -> String {
    match &ty.kind {
        TypeKind::Name(name) => name.name.clone(),
        TypeKind::App(name, args) => format!("{}[{}]", name.name, list(args)),
        TypeKind::Fun(from, to) => format!("({} -> {})", type_text(from), type_text(to)),
        TypeKind::Oper(args, result) => format!("({}) => {}", list(args), type_text(result)),
        TypeKind::Tuple(items) => format!("({})", list(items)),
        TypeKind::Record(fields, row) => {
            let mut inner = fields.iter().map(|(name, t)| format!("{}: {}", name.name, type_text(t))).collect::<Vec<_>>().join(", ");
            if let Some(row) = row {
                inner = if inner.is_empty() { format!("| {}", row.name) } else { format!("{inner} | {}", row.name) };
            }
            if inner.is_empty() {
                "{}".to_string()
            } else {
                format!("{{ {inner} }}")
            }
        }
        TypeKind::Paren(inner) => type_text(inner),
        TypeKind::Error => "?".to_string(),
    }
}

fn list(types: &[Type]) -> String {
    types.iter().map(type_text).collect::<Vec<_>>().join(", ")
}

/// A module's page, as Quint prints it: the title, then each entry's name, signature and
/// comment, separated by blank lines.
pub fn markdown(module: &ModuleDocs) -> String {
    let mut out = format!("# Documentation for {}\n\n", module.name);
    if let Some(doc) = &module.doc {
        out.push_str(doc);
        out.push_str("\n\n");
    }
    let entries: Vec<String> = module.entries.iter().map(|e| format!("## {}\n\nSignature: `{}`\n\n{}", e.name, e.signature, e.doc.as_deref().unwrap_or(""))).collect();
    out.push_str(&entries.join("\n\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::FileId;

    fn docs_of(text: &str) -> Vec<ModuleDocs> {
        let (file, diagnostics) = crate::parse(text, FileId(0));
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        file_docs(&file, text)
    }

    fn signatures(text: &str) -> Vec<String> {
        docs_of(text).remove(0).entries.into_iter().map(|e| e.signature).collect()
    }

    #[test]
    fn signatures_are_printed_as_quint_prints_them() {
        let text = "module m {
  type Shape = Circle(int) | Square | Rect({ w: int, h: int })
  type Option[a] = Some(a) | None
  type Pair[a] = (a, a)
  type Opaque
  const N: int
  var m: Set[int -> List[str]]
  var r: { a: int, b: (bool, str) }
  assume positive = N > 0
  def f(x): int = x
  def g(x: int, y: Pair[int]): bool = true
  def h(): int = 1
  pure val k: int = 2
  def apply(op: (int) => int, x: int): int = op(x)
  temporal always_ok = always(true)
  val untyped = 1
}";
        assert_eq!(
            signatures(text),
            [
                "type Shape = (Circle(int) | Square | Rect({ w: int, h: int }))",
                "def Circle: (int) => Shape",
                "val Square: Shape",
                "def Rect: ({ w: int, h: int }) => Shape",
                "type Option[a] = (Some(a) | None)",
                "def Some: (a) => Option[a]",
                "val None: Option[a]",
                "type Pair[a] = (a, a)",
                "type Opaque",
                "const N: int",
                "var m: Set[(int -> List[str])]",
                "var r: { a: int, b: (bool, str) }",
                "assume positive = N > 0",
                "def f: int",
                "def g: (int, Pair[int]) => bool",
                "def h: int",
                "pure val k: int",
                "def apply: ((int) => int, int) => int",
                "temporal always_ok",
                "val untyped",
            ]
        );
    }

    /// Byte for byte what Quint 0.33's `quint docs` prints for this module (recorded).
    #[test]
    fn the_page_is_quints() {
        let text = "/// A counter.\nmodule counter {\n  /// The count.\n  var count: int\n  /// Starts at zero.\n  ///\n  /// Really.\n  action init = count' = 0\n  action step = count' = count + 1\n}\n";
        let mut module = docs_of(text).remove(0);
        assert_eq!(module.doc.as_deref(), Some("A counter."));
        module.doc = None;
        assert_eq!(
            markdown(&module),
            "# Documentation for counter\n\n## count\n\nSignature: `var count: int`\n\nThe count.\n\n## init\n\nSignature: `action init`\n\nStarts at zero.\n\nReally.\n\n## step\n\nSignature: `action step`\n\n"
        );
    }

    /// Quint keeps a `///` comment when ordinary comments come between it and the
    /// declaration (Quint's ics20 example has one).
    #[test]
    fn ordinary_comments_between_a_doc_and_its_declaration() {
        let module = docs_of("module m {\n  /// The value.\n  // (an implementation note)\n  /* and another */\n  val v = 1\n}").remove(0);
        assert_eq!(module.entries[0].doc.as_deref(), Some("The value."));
    }

    #[test]
    fn a_sum_types_comment_stays_on_the_type() {
        let module = docs_of("module m {\n  /// A shape.\n  type Shape = Circle(int) | Square\n}").remove(0);
        assert_eq!(module.entries[0].doc.as_deref(), Some("A shape."));
        assert!(module.entries[1..].iter().all(|e| e.doc.is_none() && e.kind == EntryKind::Constructor));
    }
}
