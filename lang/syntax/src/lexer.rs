//! The lexer: turns source text into tokens with logos. It never fails: a character that
//! starts no token becomes `Token::Error`, which the parser reports and recovers from.
//! Comments are skipped, except `///` doc comments, which are collected on the side so that
//! the parser can attach them to the declaration that follows (for hover and docs).

use logos::Logos;

/// One token. Slices borrow from the source text.
#[derive(Logos, Clone, Debug, PartialEq, Eq)]
#[logos(skip r"[ \t\r\n\f]+")]
#[logos(skip(r"//[^\n]*", allow_greedy = true))]
pub enum Token<'s> {
    // Doc comments are matched before plain line comments (longer match wins).
    #[regex(r"///[^\n]*", priority = 10, allow_greedy = true)]
    DocComment(&'s str),
    #[regex(r"/\*([^*]|\*+[^*/])*\*+/")]
    BlockComment,
    #[regex(r"/\*([^*]|\*+[^*/])*\**", priority = 1)]
    UnterminatedComment,

    // keywords
    #[token("module")]
    Module,
    #[token("import")]
    Import,
    #[token("export")]
    Export,
    #[token("from")]
    From,
    #[token("as")]
    As,
    #[token("const")]
    Const,
    #[token("var")]
    Var,
    #[token("assume")]
    Assume,
    #[token("type")]
    Type,
    #[token("val")]
    Val,
    #[token("def")]
    Def,
    #[token("pure")]
    Pure,
    #[token("action")]
    Action,
    #[token("temporal")]
    Temporal,
    #[token("nondet")]
    Nondet,
    #[token("run")]
    Run,
    #[token("if")]
    If,
    #[token("else")]
    Else,
    #[token("match")]
    Match,
    #[token("all")]
    All,
    #[token("any")]
    Any,
    #[token("and")]
    And,
    #[token("or")]
    Or,
    #[token("iff")]
    Iff,
    #[token("implies")]
    Implies,
    #[token("true")]
    True,
    #[token("false")]
    False,

    // punctuation
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token(";")]
    Semi,
    #[token(".")]
    Dot,
    #[token("...")]
    Ellipsis,
    #[token("'")]
    Prime,
    #[token("->")]
    Arrow,
    #[token("=>")]
    FatArrow,
    #[token("=")]
    Eq,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("^")]
    Caret,
    #[token("|")]
    Bar,
    #[token("_")]
    Underscore,

    // literals and names
    #[regex(r"[0-9]([0-9]|_[0-9])*", |lex| lex.slice())]
    #[regex(r"0x[0-9a-fA-F]([0-9a-fA-F]|_[0-9a-fA-F])*", |lex| lex.slice())]
    Int(&'s str),
    #[regex(r#""[^"\n]*""#, |lex| lex.slice())]
    Str(&'s str),
    #[regex(r#""[^"\n]*"#, priority = 1)]
    UnterminatedStr,
    #[regex(r"[a-zA-Z][a-zA-Z0-9_]*|_[a-zA-Z0-9_]+", |lex| lex.slice())]
    Ident(&'s str),
    #[regex(r"([a-zA-Z][a-zA-Z0-9_]*|_[a-zA-Z0-9_]+)(::([a-zA-Z][a-zA-Z0-9_]*|_[a-zA-Z0-9_]+))+", |lex| lex.slice())]
    QualIdent(&'s str),

    /// A character that starts no token (not produced by logos itself; see `lex`).
    Error(LexError),
    /// Virtual first tokens that tell the parser what to read (never in source text).
    StartFile,
    StartExpr,
    StartDecls,
}

/// Why a piece of text is not a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LexError {
    UnexpectedChar,
    UnterminatedString,
    UnterminatedComment,
}

/// A `///` comment, with its text (without the slashes) and byte range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocComment {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// The tokens of `text` as `(start, token, end)` triples, ready for the parser, and the doc
/// comments found on the way.
pub fn lex(text: &str) -> (Vec<(usize, Token<'_>, usize)>, Vec<DocComment>) {
    let mut tokens = Vec::new();
    let mut docs = Vec::new();
    let mut lexer = Token::lexer(text);
    while let Some(result) = lexer.next() {
        let span = lexer.span();
        let token = match result {
            Ok(Token::DocComment(raw)) => {
                let body = raw.trim_start_matches('/');
                docs.push(DocComment { text: body.strip_prefix(' ').unwrap_or(body).to_string(), start: span.start, end: span.end });
                continue;
            }
            Ok(Token::BlockComment) => continue,
            Ok(Token::UnterminatedComment) => Token::Error(LexError::UnterminatedComment),
            Ok(Token::UnterminatedStr) => Token::Error(LexError::UnterminatedString),
            Ok(token) => token,
            Err(()) => Token::Error(LexError::UnexpectedChar),
        };
        tokens.push((span.start, token, span.end));
    }
    (tokens, docs)
}

impl Token<'_> {
    /// How the token reads in a message: `` `val` ``, `a name`, `a number`.
    pub fn describe(&self) -> String {
        match self {
            Token::Ident(name) | Token::QualIdent(name) => format!("the name `{name}`"),
            Token::Int(text) => format!("the number `{text}`"),
            Token::Str(_) => "a string".to_string(),
            Token::DocComment(_) => "a doc comment".to_string(),
            Token::Error(_) | Token::UnterminatedStr | Token::UnterminatedComment | Token::BlockComment => {
                "an unexpected character".to_string()
            }
            other => format!("`{}`", other.text().unwrap_or("?")),
        }
    }

    /// The fixed text of keyword and punctuation tokens.
    pub fn text(&self) -> Option<&'static str> {
        Some(match self {
            Token::Module => "module",
            Token::Import => "import",
            Token::Export => "export",
            Token::From => "from",
            Token::As => "as",
            Token::Const => "const",
            Token::Var => "var",
            Token::Assume => "assume",
            Token::Type => "type",
            Token::Val => "val",
            Token::Def => "def",
            Token::Pure => "pure",
            Token::Action => "action",
            Token::Temporal => "temporal",
            Token::Nondet => "nondet",
            Token::Run => "run",
            Token::If => "if",
            Token::Else => "else",
            Token::Match => "match",
            Token::All => "all",
            Token::Any => "any",
            Token::And => "and",
            Token::Or => "or",
            Token::Iff => "iff",
            Token::Implies => "implies",
            Token::True => "true",
            Token::False => "false",
            Token::LParen => "(",
            Token::RParen => ")",
            Token::LBrace => "{",
            Token::RBrace => "}",
            Token::LBracket => "[",
            Token::RBracket => "]",
            Token::Comma => ",",
            Token::Colon => ":",
            Token::Semi => ";",
            Token::Dot => ".",
            Token::Ellipsis => "...",
            Token::Prime => "'",
            Token::Arrow => "->",
            Token::FatArrow => "=>",
            Token::Eq => "=",
            Token::EqEq => "==",
            Token::NotEq => "!=",
            Token::Lt => "<",
            Token::Le => "<=",
            Token::Gt => ">",
            Token::Ge => ">=",
            Token::Plus => "+",
            Token::Minus => "-",
            Token::Star => "*",
            Token::Slash => "/",
            Token::Percent => "%",
            Token::Caret => "^",
            Token::Bar => "|",
            Token::Underscore => "_",
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Token<'_>> {
        lex(text).0.into_iter().map(|(_, t, _)| t).collect()
    }

    #[test]
    fn names_numbers_and_strings() {
        assert_eq!(
            kinds(r#"q::debug x_1 1_000 0xFF "hi" _ _a"#),
            vec![
                Token::QualIdent("q::debug"),
                Token::Ident("x_1"),
                Token::Int("1_000"),
                Token::Int("0xFF"),
                Token::Str("\"hi\""),
                Token::Underscore,
                Token::Ident("_a"),
            ]
        );
    }

    #[test]
    fn comments_are_skipped_and_doc_comments_kept() {
        let (tokens, docs) = lex("/// adds\n// plain\n/* block\n */ val");
        assert_eq!(tokens.len(), 1);
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].text, "adds");
    }

    #[test]
    fn operators_take_the_longest_match() {
        assert_eq!(
            kinds("== = => -> ... . != <= >= '"),
            vec![
                Token::EqEq,
                Token::Eq,
                Token::FatArrow,
                Token::Arrow,
                Token::Ellipsis,
                Token::Dot,
                Token::NotEq,
                Token::Le,
                Token::Ge,
                Token::Prime,
            ]
        );
    }

    #[test]
    fn bad_input_becomes_error_tokens() {
        assert_eq!(kinds("@"), vec![Token::Error(LexError::UnexpectedChar)]);
        assert_eq!(kinds("\"open\nx"), vec![Token::Error(LexError::UnterminatedString), Token::Ident("x")]);
        assert_eq!(kinds("/* open"), vec![Token::Error(LexError::UnterminatedComment)]);
    }
}
