//! A token lexer for the C-family and Python: identifiers, numbers, strings, punctuation,
//! comments and (statement-ending) newlines, each with its byte span.
//!
//! Why hand-written rather than tree-sitter grammars: the rules only need to know *where a
//! literal sits* (which call, which argument, which keyword, which assignment), not a full
//! syntax tree. What makes that precise is getting strings and comments exactly right (a `#`
//! inside a string, a `"` inside a comment, triple-quoted docstrings, template literals, the
//! code inside f-string replacement fields, Rust raw strings, regex literals), and that is what
//! this lexer is careful about. One lexer with a few
//! switches serves Python, JavaScript/TypeScript, Rust and Go, compiles in seconds instead of a
//! C grammar per language, and runs at memory speed, which the speed target needs.
//!
//! ```
//! use portlaw_lint::lex::{lex, Syntax, Tok};
//! let toks = lex("app.run(port=9000)  # dev", Syntax::Python);
//! assert_eq!(toks.iter().filter(|t| t.kind == Tok::Comment).count(), 1);
//! ```

/// Token kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    Ident,
    Num,
    Str,
    Punct,
    Comment,
    /// A line end that can end a statement (outside brackets; for Python outside all groups).
    Newline,
}

/// One token. Offsets are bytes into the lexed text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: Tok,
    pub start: usize,
    pub end: usize,
    /// For strings: the content between the quotes.
    pub cs: usize,
    pub ce: usize,
    /// For strings: an f-string with a replacement field, a template literal with `${`; a
    /// Go/Rust format placeholder is not counted (those are plain strings until formatted).
    pub interp: bool,
}

/// The language family being lexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Python,
    JavaScript,
    Rust,
    Go,
}

/// Lexes `src` completely. Never fails: an unterminated string or comment runs to the end.
pub fn lex(src: &str, syn: Syntax) -> Vec<Token> {
    Lexer {
        b: src.as_bytes(),
        i: 0,
        syn,
        out: Vec::with_capacity(src.len() / 4),
        depth: 0,
        fstack: Vec::new(),
    }
    .run()
}

struct Lexer<'a> {
    b: &'a [u8],
    i: usize,
    syn: Syntax,
    out: Vec<Token>,
    /// Bracket depth; newlines inside brackets do not end statements.
    depth: i32,
    /// Open Python f-strings and their replacement fields, innermost last (see
    /// [`Lexer::fstring_text`]).
    fstack: Vec<FPart>,
}

/// Where the lexer is inside a Python f-string.
#[derive(Debug, Clone, Copy)]
enum FPart {
    /// The text of the f-string whose token is `out[tok]`.
    Text {
        tok: usize,
        q: u8,
        triple: bool,
        raw: bool,
    },
    /// The code of a replacement field; its `{` left the bracket depth at `depth`.
    Field { depth: i32 },
    /// The format spec after a field's `:` (text, with nested fields).
    Spec,
}

const TWO_CHAR: [&[u8; 2]; 14] = [
    b"==", b"!=", b"<=", b">=", b"||", b"&&", b"??", b"::", b":=", b"=>", b"->", b"**", b"+=",
    b"-=",
];

impl Lexer<'_> {
    fn push(&mut self, kind: Tok, start: usize, end: usize) {
        self.out.push(Token {
            kind,
            start,
            end,
            cs: start,
            ce: end,
            interp: false,
        });
    }

    /// Ends a string token at `self.i` (clamped to the input), its contents at `cs..ce`.
    fn push_str(&mut self, start: usize, cs: usize, ce: usize, interp: bool) {
        self.i = self.i.min(self.b.len());
        self.out.push(Token {
            kind: Tok::Str,
            start,
            end: self.i,
            cs,
            ce: ce.min(self.b.len()),
            interp,
        });
    }

    fn peek(&self, k: usize) -> u8 {
        *self.b.get(self.i + k).unwrap_or(&0)
    }

    fn run(mut self) -> Vec<Token> {
        let hash_comments = self.syn == Syntax::Python;
        while self.i < self.b.len() {
            let c = self.b[self.i];
            let start = self.i;
            match self.fstack.last().copied() {
                Some(FPart::Text { .. }) => {
                    self.fstring_text();
                    continue;
                }
                Some(FPart::Spec) => {
                    self.fstring_spec();
                    continue;
                }
                Some(FPart::Field { depth }) if self.depth <= depth && self.field_part(depth) => {
                    continue;
                }
                _ => {}
            }
            match c {
                b'\n' => {
                    self.i += 1;
                    if self.depth <= 0 && self.out.last().is_some_and(|t| t.kind != Tok::Newline) {
                        self.push(Tok::Newline, start, start + 1);
                    }
                }
                b' ' | b'\t' | b'\r' | 0x0c => self.i += 1,
                b'\\'
                    if self.peek(1) == b'\n'
                        || (self.peek(1) == b'\r' && self.peek(2) == b'\n') =>
                {
                    // A line continuation: the newline does not end the statement.
                    self.i += if self.peek(1) == b'\n' { 2 } else { 3 };
                }
                b'#' if hash_comments => self.line_comment(start),
                b'/' if !hash_comments && self.peek(1) == b'/' => self.line_comment(start),
                b'/' if !hash_comments && self.peek(1) == b'*' => self.block_comment(start),
                b'/' if self.syn == Syntax::JavaScript && self.regex_allowed() => self.regex(start),
                b'"' | b'\'' | b'`' => self.quote(start, 0),
                b'0'..=b'9' => self.number(start),
                b'.' if self.peek(1).is_ascii_digit() => self.number(start),
                c if c == b'_' || c == b'$' || c.is_ascii_alphabetic() || c >= 0x80 => {
                    self.ident(start)
                }
                _ => {
                    match c {
                        b'(' | b'[' => self.depth += 1,
                        b'{' if self.syn == Syntax::Python => self.depth += 1,
                        b')' | b']' => self.depth -= 1,
                        b'}' if self.syn == Syntax::Python => self.depth -= 1,
                        _ => {}
                    }
                    let two = [c, self.peek(1)];
                    let n = if TWO_CHAR.iter().any(|t| **t == two) {
                        2
                    } else {
                        1
                    };
                    self.i += n;
                    self.push(Tok::Punct, start, self.i);
                }
            }
        }
        // Unterminated f-strings run to the end.
        let end = self.b.len();
        for part in std::mem::take(&mut self.fstack) {
            if let FPart::Text { tok, .. } = part {
                self.out[tok].end = end;
                self.out[tok].ce = end;
            }
        }
        self.out
    }

    fn line_comment(&mut self, start: usize) {
        let end = memchr_nl(self.b, self.i);
        self.i = end;
        self.push(Tok::Comment, start, end);
    }

    fn block_comment(&mut self, start: usize) {
        // Rust block comments nest; the others end at the first `*/`.
        let nest = self.syn == Syntax::Rust;
        let mut level = 0;
        self.i += 2;
        while self.i < self.b.len() {
            if self.b[self.i] == b'*' && self.peek(1) == b'/' {
                self.i += 2;
                if level == 0 {
                    break;
                }
                level -= 1;
            } else if nest && self.b[self.i] == b'/' && self.peek(1) == b'*' {
                self.i += 2;
                level += 1;
            } else {
                self.i += 1;
            }
        }
        self.push(Tok::Comment, start, self.i.min(self.b.len()));
    }

    /// A `/` starts a regex literal unless it follows something that can end an expression.
    fn regex_allowed(&self) -> bool {
        let Some(prev) = self.out.iter().rev().find(|t| t.kind != Tok::Comment) else {
            return true;
        };
        match prev.kind {
            Tok::Num | Tok::Str => false,
            Tok::Ident => {
                let w = &self.b[prev.start..prev.end];
                matches!(
                    w,
                    b"return"
                        | b"typeof"
                        | b"case"
                        | b"in"
                        | b"of"
                        | b"delete"
                        | b"void"
                        | b"throw"
                )
            }
            Tok::Punct => !matches!(self.b[prev.start], b')' | b']' | b'}'),
            _ => true,
        }
    }

    fn regex(&mut self, start: usize) {
        self.i += 1;
        let mut class = false;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'\\' => self.i += 1,
                b'[' => class = true,
                b']' => class = false,
                b'/' if !class => {
                    self.i += 1;
                    break;
                }
                b'\n' => break,
                _ => {}
            }
            self.i += 1;
        }
        while self.i < self.b.len() && self.b[self.i].is_ascii_alphabetic() {
            self.i += 1;
        }
        // A regex is not a string the rules look into.
        self.push(Tok::Punct, start, self.i.min(self.b.len()));
    }

    fn number(&mut self, start: usize) {
        while self.i < self.b.len() {
            let c = self.b[self.i];
            if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' {
                self.i += 1;
            } else {
                break;
            }
        }
        self.push(Tok::Num, start, self.i);
    }

    fn ident(&mut self, start: usize) {
        while self.i < self.b.len() {
            let c = self.b[self.i];
            if c == b'_' || c == b'$' || c.is_ascii_alphanumeric() || c >= 0x80 {
                self.i += 1;
            } else {
                break;
            }
        }
        let word = &self.b[start..self.i];
        let q = self.peek(0);
        // String prefixes: Python r/b/u/f (and pairs), Rust b/r/br with raw hashes.
        let prefix = match self.syn {
            Syntax::Python => {
                word.len() <= 2
                    && word.iter().all(|c| b"rRbBuUfF".contains(c))
                    && (q == b'"' || q == b'\'')
            }
            Syntax::Rust => {
                matches!(word, b"r" | b"br" | b"b" | b"c" | b"cr")
                    && (q == b'"'
                        || (q == b'#' && word.contains(&b'r'))
                        || (q == b'\'' && word == b"b"))
            }
            _ => false,
        };
        if prefix {
            let f = word.iter().any(|c| *c == b'f' || *c == b'F');
            let raw = word.iter().any(|c| *c == b'r' || *c == b'R');
            if self.syn == Syntax::Rust && raw {
                self.rust_raw(start);
            } else {
                self.quote(start, if f { FSTR } else { 0 } | if raw { RAW } else { 0 });
            }
            return;
        }
        self.push(Tok::Ident, start, self.i);
    }

    fn rust_raw(&mut self, start: usize) {
        let mut hashes = 0;
        while self.peek(0) == b'#' {
            hashes += 1;
            self.i += 1;
        }
        if self.peek(0) != b'"' {
            self.push(Tok::Ident, start, self.i);
            return;
        }
        self.i += 1;
        let cs = self.i;
        let mut ce = self.b.len();
        while self.i < self.b.len() {
            if self.b[self.i] == b'"' && (1..=hashes).all(|k| self.b.get(self.i + k) == Some(&b'#'))
            {
                ce = self.i;
                self.i += 1 + hashes;
                break;
            }
            self.i += 1;
        }
        self.push_str(start, cs, ce, false);
    }

    /// A quoted string starting at `self.i` (the quote), with `start` including any prefix.
    fn quote(&mut self, start: usize, flags: u8) {
        let q = self.b[self.i];
        // Rust and Go: `'` is a char/rune literal or a Rust lifetime, never a string.
        if q == b'\'' && matches!(self.syn, Syntax::Rust | Syntax::Go) {
            let close = if self.peek(1) == b'\\' {
                self.b[self.i + 2..]
                    .iter()
                    .take(12)
                    .position(|&c| c == b'\'')
                    .map(|p| self.i + 2 + p)
            } else {
                let ch_len = utf8_len(self.peek(1));
                (self.peek(1 + ch_len) == b'\'').then_some(self.i + 1 + ch_len)
            };
            match close {
                Some(c) => {
                    self.i = c + 1;
                    self.push(Tok::Num, start, self.i);
                }
                None => {
                    self.i += 1;
                    self.push(Tok::Punct, start, self.i);
                }
            }
            return;
        }
        if q == b'`' && self.syn == Syntax::JavaScript {
            self.template(start);
            return;
        }
        let triple = self.syn == Syntax::Python && self.peek(1) == q && self.peek(2) == q;
        let qlen = if triple { 3 } else { 1 };
        self.i += qlen;
        if flags & FSTR != 0 && self.syn == Syntax::Python {
            // Finished (end, content end) when the closing quote is reached.
            self.fstack.push(FPart::Text {
                tok: self.out.len(),
                q,
                triple,
                raw: flags & RAW != 0,
            });
            self.push(Tok::Str, start, self.i);
            self.out.last_mut().expect("just pushed").cs = self.i;
            return;
        }
        let cs = self.i;
        let raw = flags & RAW != 0 || (q == b'`' && self.syn == Syntax::Go);
        let multiline = triple || q == b'`';
        let mut ce = self.b.len();
        while self.i < self.b.len() {
            let c = self.b[self.i];
            if c == b'\\' && !raw {
                self.i += 2;
                continue;
            }
            if c == b'\\' && raw && self.syn == Syntax::Python {
                // A raw string still cannot end with an escaped quote.
                self.i += 2;
                continue;
            }
            if c == q && (!triple || (self.peek(1) == q && self.peek(2) == q)) {
                ce = self.i;
                self.i += qlen;
                break;
            }
            if c == b'\n' && !multiline {
                ce = self.i;
                break;
            }
            self.i += 1;
        }
        self.push_str(start, cs, ce, false);
    }
}

impl Lexer<'_> {
    /// The text of a Python f-string (the top of `fstack`), up to its closing quote or its next
    /// replacement field. The f-string is one [`Tok::Str`] spanning all of it, followed by the
    /// tokens of its replacement fields, each as `{`, code, `}`: so `f"{os.getenv('X', '9000')}"`
    /// reads like the call it holds, while the string's text (`{{`/`}}` are escapes) stays one
    /// string. Fields nest through [`FPart`] on an explicit stack (Python 3.12 allows any
    /// depth, and the same quote inside a field), so no input can overflow the call stack.
    fn fstring_text(&mut self) {
        let Some(&FPart::Text {
            tok,
            q,
            triple,
            raw,
        }) = self.fstack.last()
        else {
            return;
        };
        let qlen = if triple { 3 } else { 1 };
        while self.i < self.b.len() {
            let c = self.b[self.i];
            match c {
                // `\N{DASH}` names a character; it is no field.
                b'\\' if !raw && self.peek(1) == b'N' && self.peek(2) == b'{' => {
                    self.i = self.b[self.i..]
                        .iter()
                        .position(|&c| c == b'}' || c == b'\n')
                        .map_or(self.b.len(), |p| self.i + p + 1);
                }
                b'\\' => self.i += 2,
                b'{' | b'}' if self.peek(1) == c => self.i += 2,
                b'{' => {
                    self.out[tok].interp = true;
                    self.push(Tok::Punct, self.i, self.i + 1);
                    self.i += 1;
                    self.depth += 1;
                    self.fstack.push(FPart::Field { depth: self.depth });
                    return;
                }
                _ if c == q && (!triple || (self.peek(1) == q && self.peek(2) == q)) => {
                    self.out[tok].ce = self.i;
                    self.i += qlen;
                    self.out[tok].end = self.i;
                    self.fstack.pop();
                    return;
                }
                b'\n' if !triple => {
                    self.out[tok].ce = self.i;
                    self.out[tok].end = self.i;
                    self.fstack.pop();
                    return;
                }
                _ => self.i += 1,
            }
        }
        self.i = self.b.len();
    }

    /// At the top level of a replacement field (bracket depth `depth`): its end `}`, the
    /// start of its format spec `:`, a conversion `!r` or a debug `=`. Returns false for code.
    fn field_part(&mut self, depth: i32) -> bool {
        match self.b[self.i] {
            b'}' => {
                self.close_field(depth);
                true
            }
            b':' => {
                self.i += 1;
                *self.fstack.last_mut().expect("in a field") = FPart::Spec;
                true
            }
            b'!' if self.peek(1) != b'=' => {
                self.i += 1;
                while self.i < self.b.len() && self.b[self.i].is_ascii_alphabetic() {
                    self.i += 1;
                }
                true
            }
            b'=' if self.peek(1) != b'=' => {
                self.i += 1;
                true
            }
            _ => false,
        }
    }

    fn close_field(&mut self, depth: i32) {
        self.push(Tok::Punct, self.i, self.i + 1);
        self.i += 1;
        self.depth = depth - 1;
        self.fstack.pop();
    }

    /// A format spec (`>10`, `{width}`): text up to the field's `}`, with nested fields.
    fn fstring_spec(&mut self) {
        // The string around the field (a spec cannot hold its quote, nor a line end unless the
        // string is triple-quoted: when it does, the code is broken and the string ends there).
        let outer = self.fstack.iter().rev().find_map(|p| match p {
            FPart::Text { q, triple, .. } => Some((*q, *triple)),
            _ => None,
        });
        while self.i < self.b.len() {
            let c = self.b[self.i];
            if let Some((q, triple)) = outer
                && !triple
                && (c == q || c == b'\n')
            {
                self.depth -= 1;
                self.fstack.pop();
                return;
            }
            match c {
                b'{' => {
                    self.push(Tok::Punct, self.i, self.i + 1);
                    self.i += 1;
                    self.depth += 1;
                    self.fstack.push(FPart::Field { depth: self.depth });
                    return;
                }
                b'}' => {
                    // The spec belongs to the field opened at the current depth.
                    let depth = self.depth;
                    self.close_field(depth);
                    return;
                }
                _ => self.i += 1,
            }
        }
    }

    /// A JavaScript template literal starting at `self.i` (the backtick). The expressions in
    /// `${...}` hold code: strings (whose braces do not count), comments and nested templates,
    /// followed with an explicit stack so that no input can overflow the call stack and a `"{"`
    /// inside an expression cannot make the template swallow the rest of the file.
    fn template(&mut self, start: usize) {
        enum In {
            Template,
            Expr(u32),
        }
        self.i += 1;
        let cs = self.i;
        let mut ce = self.b.len();
        let mut interp = false;
        let mut stack = vec![In::Template];
        while self.i < self.b.len() {
            let c = self.b[self.i];
            let next = self.peek(1);
            match stack.last_mut() {
                Some(In::Template) => match c {
                    b'\\' => self.i += 1,
                    b'`' => {
                        stack.pop();
                        if stack.is_empty() {
                            ce = self.i;
                            self.i += 1;
                            break;
                        }
                    }
                    b'$' if next == b'{' => {
                        interp = true;
                        stack.push(In::Expr(1));
                        self.i += 1;
                    }
                    _ => {}
                },
                Some(In::Expr(depth)) => match c {
                    b'{' => *depth += 1,
                    b'}' => {
                        *depth -= 1;
                        if *depth == 0 {
                            stack.pop();
                        }
                    }
                    b'`' => stack.push(In::Template),
                    b'"' | b'\'' => {
                        self.i += 1;
                        while self.i < self.b.len() && !matches!(self.b[self.i], b'\n') {
                            if self.b[self.i] == b'\\' {
                                self.i += 1;
                            } else if self.b[self.i] == c {
                                break;
                            }
                            self.i += 1;
                        }
                    }
                    b'/' if next == b'/' => self.i = memchr_nl(self.b, self.i),
                    b'/' if next == b'*' => {
                        self.i = self.b[self.i + 2..]
                            .windows(2)
                            .position(|w| w == b"*/")
                            .map_or(self.b.len(), |p| self.i + 2 + p + 1);
                    }
                    _ => {}
                },
                None => break,
            }
            self.i += 1;
        }
        self.push_str(start, cs, ce, interp);
    }
}

const FSTR: u8 = 1;
const RAW: u8 = 2;

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

fn memchr_nl(b: &[u8], from: usize) -> usize {
    b[from..]
        .iter()
        .position(|&c| c == b'\n')
        .map(|p| from + p)
        .unwrap_or(b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str, syn: Syntax) -> Vec<(Tok, String)> {
        lex(src, syn)
            .into_iter()
            .map(|t| (t.kind, src[t.start..t.end].to_string()))
            .collect()
    }

    #[test]
    fn python_strings_and_comments() {
        let t = kinds("x = '#no' # yes\ny = \"\"\"a\n'b'\"\"\"", Syntax::Python);
        assert_eq!(t[2], (Tok::Str, "'#no'".into()));
        assert_eq!(t[3], (Tok::Comment, "# yes".into()));
        assert_eq!(t[7], (Tok::Str, "\"\"\"a\n'b'\"\"\"".into()));
        let f = lex("f'ws://{h}'", Syntax::Python);
        assert!(f[0].interp && f[0].kind == Tok::Str);
    }

    #[test]
    fn fstring_fields_are_code() {
        let texts = |src: &str| -> Vec<String> {
            kinds(src, Syntax::Python)
                .into_iter()
                .map(|(_, s)| s)
                .collect()
        };
        let src = "f\"a{os.getenv('X', '9')}b\" z";
        let t = lex(src, Syntax::Python);
        assert_eq!(
            (t[0].kind, &src[t[0].start..t[0].end]),
            (Tok::Str, &src[..26])
        );
        assert_eq!(&src[t[0].cs..t[0].ce], "a{os.getenv('X', '9')}b");
        assert!(t[0].interp);
        assert_eq!(
            texts(src)[1..],
            [
                "{", "os", ".", "getenv", "(", "'X'", ",", "'9'", ")", "}", "z"
            ]
        );
        // Escaped braces are text; a spec is text with nested fields; `!r` and `=` are no code.
        assert_eq!(texts("f'{{x}}' z"), ["f'{{x}}'", "z"]);
        assert!(!lex("f'{{x}}'", Syntax::Python)[0].interp);
        assert_eq!(
            texts("f'{x:>{w}}' z")[1..],
            ["{", "x", "{", "w", "}", "}", "z"]
        );
        assert_eq!(
            texts("f'{x!r}{y=}{a != b}' z")[1..],
            ["{", "x", "}", "{", "y", "}", "{", "a", "!=", "b", "}", "z"]
        );
        assert_eq!(texts("f\"\\N{DASH}\" z"), ["f\"\\N{DASH}\"", "z"]);
        // Python 3.12: the same quote inside a field; a field spanning lines ends no statement.
        assert_eq!(texts("f\"{\"a\"}\" z")[1..], ["{", "\"a\"", "}", "z"]);
        let t = kinds("rf'''{\n x\n}''' z", Syntax::Python);
        assert!(t.iter().all(|(k, _)| *k != Tok::Newline), "{t:?}");
        assert_eq!(t.last().unwrap().1, "z");
        // Unterminated and deeply nested f-strings neither loop nor overflow.
        assert_eq!(lex("f'{x", Syntax::Python)[0].end, 4);
        assert_eq!(texts("f'{x:>' z\ny")[1..], ["{", "x", "z", "\n", "y"]);
        let deep = "f'{".repeat(100_000);
        assert!(lex(&deep, Syntax::Python).len() >= 100_000);
    }

    #[test]
    fn python_newlines_only_outside_groups() {
        let t = kinds("a(1,\n2)\nb", Syntax::Python);
        let nl = t.iter().filter(|(k, _)| *k == Tok::Newline).count();
        assert_eq!(nl, 1);
    }

    #[test]
    fn js_regex_template_and_division() {
        let t = kinds(
            "let r = /\"/g; let x = a / 2; `ws://${h}:1`",
            Syntax::JavaScript,
        );
        assert!(t.iter().all(|(k, s)| !(*k == Tok::Str && s == "\"")));
        let tpl = lex("`a${b}c`", Syntax::JavaScript);
        assert!(tpl[0].interp);
    }

    #[test]
    fn template_expressions_hold_code() {
        // A brace in a string, a nested template or a comment inside `${...}` does not end
        // (or prolong) the template.
        for src in [
            "`x ${ \"{\" } y` z",
            "`${ obj[\"}\"] }` z",
            "`a ${ `b ${ '{' } c` } d` z",
            "`${ x /* } */ }` z",
            "`${ x // }\n }` z",
        ] {
            let t = kinds(src, Syntax::JavaScript);
            assert_eq!(t.len(), 2, "{src}: {t:?}");
            assert_eq!(t[0].0, Tok::Str, "{src}");
            assert_eq!(t[1], (Tok::Ident, "z".into()), "{src}");
        }
        // Nesting deeper than any call stack: no overflow, one unterminated string.
        let deep = "`${".repeat(100_000);
        assert_eq!(lex(&deep, Syntax::JavaScript).len(), 1);
    }

    #[test]
    fn rust_raw_strings_chars_and_lifetimes() {
        let t = kinds("r#\"a\"b\"# 'x' '\\n' &'a str", Syntax::Rust);
        assert_eq!(t[0], (Tok::Str, "r#\"a\"b\"#".into()));
        assert_eq!(t[1].0, Tok::Num);
        assert_eq!(t[2].0, Tok::Num);
        assert_eq!(t[4], (Tok::Punct, "'".into()));
    }
}
