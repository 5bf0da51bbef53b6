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
    // Strings may span lines, as in Quint (real specs write long messages that way).
    #[regex(r#""[^"]*""#, |lex| lex.slice())]
    Str(&'s str),
    #[regex(r#""[^"\n]*"#, priority = 1)]
    UnterminatedStr,
    #[regex(r"[a-zA-Z][a-zA-Z0-9_]*|_[a-zA-Z0-9_]+", |lex| lex.slice())]
    Ident(&'s str),
    #[regex(r"([a-zA-Z][a-zA-Z0-9_]*|_[a-zA-Z0-9_]+)(::([a-zA-Z][a-zA-Z0-9_]*|_[a-zA-Z0-9_]+))+", |lex| lex.slice())]
    QualIdent(&'s str),

    /// A character that starts no token (not produced by logos itself; see `lex`).
    Error(LexError),
    /// `(` right after a name (`f(x)`, `s.map(f)`, `def f(x)`): a call or a parameter list.
    /// Any other `(` groups or builds a tuple. Quint's grammar decides the same way (a name
    /// followed by `(` is always a call), and it lets a local definition's body start with a
    /// tuple: `val a = f(1)` then `(a, b)` on the next line. Made by [`contextual`].
    CallLParen,
    /// `and {` / `or {`: a block of conjuncts or disjuncts. One token, so that a local
    /// definition's body may start with a block (`val j = i + 1` then `and { ... }`).
    AndBlock,
    OrBlock,
    /// `-` and `[` that start an operand (`-x`, `[1, 2]`) and cannot continue one. Never made by
    /// the lexer: the parser's repair (see `parse.rs`) turns a `-` or `[` at the start of a line
    /// into these when continuing the expression before it leads nowhere.
    PrefixMinus,
    ListLBracket,
    /// `leadsTo` between two operands (`p leadsTo q`); elsewhere it is an ordinary name.
    LeadsTo,
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
    // About one token for every five bytes of typical text: one allocation, not a dozen
    // doublings (each a copy of every token so far) for a large file.
    let mut tokens = Vec::with_capacity(text.len() / 5 + 16);
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
    contextual(&mut tokens);
    (tokens, docs)
}

/// Reclassifies the tokens whose meaning depends on their neighbours (see [`Token::CallLParen`],
/// [`Token::AndBlock`], [`Token::LeadsTo`]). Comments are already gone, so "next to" means
/// with only white space and comments between. In place: the output is never longer than
/// the input (`and {` becomes one token), so tokens are written over those already read.
fn contextual(tokens: &mut Vec<(usize, Token<'_>, usize)>) {
    let mut read = 0;
    let mut written = 0;
    while read < tokens.len() {
        let (l, token, r) = tokens[read].clone();
        read += 1;
        let previous = if written > 0 { Some(&tokens[written - 1].1) } else { None };
        let after_dot = written >= 2 && matches!(tokens[written - 2].1, Token::Dot);
        let next_is_brace = matches!(tokens.get(read), Some((_, Token::LBrace, _)));
        let token = match token {
            Token::LParen => {
                let call = match previous {
                    Some(Token::Ident(_) | Token::QualIdent(_)) => true,
                    Some(Token::And | Token::Or | Token::Iff | Token::Implies) => after_dot,
                    _ => false,
                };
                if call { Token::CallLParen } else { Token::LParen }
            }
            // `and {` opens a block of conjuncts, unless an operand ends just before it and
            // the braces hold one expression: `false or { 2 > 1 }` is the infix `or` with a
            // braced operand, as Quint parses it (`{ val j = p._2 \n and { a, b } }` stays
            // a block: a braced operand has no commas).
            Token::And | Token::Or
                if !matches!(previous, Some(Token::Dot))
                    && next_is_brace
                    && !(previous.is_some_and(Token::ends_operand) && braces_hold_one_expression(&tokens[read..])) =>
            {
                let brace_end = tokens[read].2;
                read += 1;
                let block = if token == Token::And { Token::AndBlock } else { Token::OrBlock };
                tokens[written] = (l, block, brace_end);
                written += 1;
                continue;
            }
            Token::Ident("leadsTo") if previous.is_some_and(Token::ends_operand) => Token::LeadsTo,
            token => token,
        };
        tokens[written] = (l, token, r);
        written += 1;
    }
    tokens.truncate(written);
}

/// Whether the braces opened by the first of `tokens` hold no comma of their own (at their
/// depth, outside nested brackets) before they close.
fn braces_hold_one_expression(tokens: &[(usize, Token<'_>, usize)]) -> bool {
    let mut depth = 0usize;
    for (_, token, _) in tokens {
        match token {
            Token::LBrace | Token::LParen | Token::CallLParen | Token::LBracket | Token::ListLBracket | Token::AndBlock | Token::OrBlock => depth += 1,
            Token::RBrace | Token::RParen | Token::RBracket => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return true;
                }
            }
            Token::Comma if depth == 1 => return false,
            _ => {}
        }
    }
    true
}

impl Token<'_> {
    /// Whether an operand can end with this token (so that an infix operator may follow).
    fn ends_operand(&self) -> bool {
        matches!(
            self,
            Token::Ident(_) | Token::QualIdent(_) | Token::Int(_) | Token::Str(_) | Token::True | Token::False
                | Token::RParen | Token::RBracket | Token::RBrace | Token::Prime | Token::Underscore
        )
    }

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
            Token::LParen | Token::CallLParen => "(",
            Token::AndBlock => "and {",
            Token::PrefixMinus => "-",
            Token::ListLBracket => "[",
            Token::OrBlock => "or {",
            Token::LeadsTo => "leadsTo",
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
