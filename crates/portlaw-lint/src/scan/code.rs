//! The scanner for programming languages (Python, JavaScript/TypeScript, Rust, Go): one pass
//! over the tokens of [`crate::lex`] with a stack of open brackets, each knowing the call it
//! belongs to (`app.run(`), which argument and which keyword (`port=`) is being read. A literal
//! becomes a site only from its position:
//!
//! - an argument of a bind/listen/serve call, a `(host, port)` pair, a `port=` keyword, a value
//!   assigned to a port-named variable or key, the value after a `--port` flag;
//! - a `host:port` string, a URL with a port, a `ws://` URL;
//! - the name and default of an env lookup (`os.getenv`, `os.environ[..]`, `process.env.X`,
//!   `env::var`, `os.Getenv`), including defaults given by `or`, `||`, `??`, `unwrap_or`,
//!   `cmp.Or`.
//!
//! Literals inside logging, printing and exception calls, help texts, docstrings and comments
//! are never sites.

use std::collections::HashMap;

use super::calls::{Call, classify, last_segment};
use crate::lex::{Syntax, Tok, Token, lex};
use crate::site::{Comment, Fallback, PortCtx, Scan, Site, SiteKind};
use crate::text::{is_port_flag, is_port_name, port_value, scan_text};

/// How many open brackets the scanner tracks.
const MAX_DEPTH: usize = 200;

/// How deep in other f-strings' replacement fields an f-string's text is still read.
const MAX_FSTRING_NESTING: usize = 4;

#[derive(Debug)]
struct Frame {
    open: u8,
    kind: Call,
    /// `listen(n)` in Python and Rust takes a backlog, not a port.
    py_listen: bool,
    /// `x.run(...)`, Python's and Rust's `x.bind(...)`: so many things are run or bound that only a
    /// `port=` keyword or a `(host, port)` pair makes them a server bind, not any positional
    /// number (`ctx.run(f, 1)`, `sig.bind(1, 2)`).
    weak: bool,
    /// The callee's last segment ends in `Or` (`cmp.Or`): its second argument is a default.
    or_call: bool,
    arg: usize,
    kw: Option<String>,
    /// A `--port` string appeared among the arguments.
    flag_call: bool,
    /// The previous argument was `--port` (Flag) or a string naming a port (`flag.Int("port",
    /// 9010, ..)`, `config.get("port", 9010)`: Keyword); the next literal argument is a port.
    pending: Option<PortCtx>,
    /// Index into `lookups` for an Env/EnvIndex frame whose name has been read.
    lookup: Option<usize>,
    /// A positional string naming a port was an argument (`add_argument("port", default=8000)`):
    /// the `default=` keyword is that port.
    port_named: bool,
    /// A parenthesis that is no call (`port=(9022)`, `(9000)`): a value alone in it is the
    /// value of what is around it.
    bare: bool,
}

struct Lookup {
    var: String,
    /// `os.environ["X"] = "1"`: a definition, not a read.
    definition: bool,
    start: usize,
    end: usize,
    default: Option<Fallback>,
}

/// Scans `src` (which sits at byte `base` of the file) and appends to `out`.
pub fn scan(src: &str, syn: Syntax, base: usize, out: &mut Scan) {
    let all = lex(src, syn);
    let toks: Vec<Token> = all
        .iter()
        .filter(|t| t.kind != Tok::Comment)
        .copied()
        .collect();
    for c in all.iter().filter(|t| t.kind == Tok::Comment) {
        out.comments.push(Comment {
            start: base + c.start,
            end: base + c.end,
        });
    }
    let mut w = Walker {
        src,
        syn,
        t: &toks,
        frames: Vec::new(),
        overflow: 0,
        lookups: Vec::new(),
        last_lookup: None,
        target: None,
        env_backed: HashMap::new(),
        bare_environ: src.contains("from os import"),
        fstrings: Vec::new(),
        sites: Vec::new(),
    };
    w.run();
    for l in w.lookups {
        w.sites.push(Site {
            kind: SiteKind::Lookup {
                var: l.var,
                default: l.default,
                definition: l.definition,
            },
            start: l.start,
            end: l.end,
        });
    }
    for mut s in w.sites {
        s.start += base;
        s.end += base;
        if let SiteKind::Lookup {
            default: Some(d), ..
        } = &mut s.kind
        {
            d.start += base;
            d.end += base;
        }
        out.sites.push(s);
    }
}

struct Walker<'a> {
    src: &'a str,
    syn: Syntax,
    t: &'a [Token],
    frames: Vec<Frame>,
    /// Brackets opened beyond [`MAX_DEPTH`] (not tracked).
    overflow: usize,
    lookups: Vec<Lookup>,
    /// The lookup that just ended (index into `lookups`, token index of its end).
    last_lookup: Option<(usize, usize)>,
    /// The variable being assigned in the current statement (name, token index of `=`).
    target: Option<(String, usize)>,
    /// Variables assigned from an env lookup: name -> env var.
    env_backed: HashMap<String, String>,
    /// The file does `from os import ...` (so `environ` may be os.environ).
    bare_environ: bool,
    /// The ends of the f-strings (with replacement fields) around the current token.
    fstrings: Vec<usize>,
    sites: Vec<Site>,
}

impl<'a> Walker<'a> {
    fn text(&self, i: usize) -> &'a str {
        self.t
            .get(i)
            .map(|t| &self.src[t.start..t.end])
            .unwrap_or("")
    }
    fn is(&self, i: usize, s: &str) -> bool {
        self.t.get(i).is_some_and(|t| t.kind != Tok::Str) && self.text(i) == s
    }
    fn kind(&self, i: usize) -> Option<Tok> {
        self.t.get(i).map(|t| t.kind)
    }
    fn content(&self, i: usize) -> &'a str {
        let t = &self.t[i];
        &self.src[t.cs..t.ce]
    }
    fn in_log(&self) -> bool {
        self.frames.iter().any(|f| {
            f.kind == Call::Log
                || f.kw.as_deref().is_some_and(|k| {
                    matches!(
                        k,
                        "help" | "description" | "epilog" | "usage" | "msg" | "message" | "doc"
                    )
                })
        })
    }
    fn in_bind(&self) -> bool {
        self.frames.iter().any(|f| f.kind == Call::Bind)
    }

    fn run(&mut self) {
        let n = self.t.len();
        let mut i = 0;
        while i < n {
            let tok = self.t[i];
            match tok.kind {
                Tok::Newline => self.end_statement(),
                Tok::Punct => self.punct(i),
                Tok::Ident => self.ident(i),
                Tok::Num => {
                    let text = self.text(i);
                    if let Some(v) = port_value(text) {
                        self.literal(i, v, tok.start, tok.end, text);
                    }
                    self.after_value();
                }
                Tok::Str => self.string(i),
                Tok::Comment => {}
            }
            i += 1;
        }
    }

    fn end_statement(&mut self) {
        self.target = None;
        self.last_lookup = None;
    }

    fn after_value(&mut self) {
        if let Some(f) = self.frames.last_mut() {
            f.pending = None;
        }
    }

    fn punct(&mut self, i: usize) {
        let p = self.text(i);
        match p {
            "(" | "[" | "{" => {
                // Every literal looks at the open brackets around it, so their number is
                // capped: real code nests a few dozen deep, and a generated file nesting
                // thousands deep must not make the scan quadratic.
                if self.frames.len() >= MAX_DEPTH {
                    self.overflow += 1;
                    return;
                }
                let frame = self.open_frame(i, p.as_bytes()[0]);
                self.frames.push(frame);
            }
            ")" | "]" | "}" if self.overflow > 0 => self.overflow -= 1,
            ")" | "]" | "}" => {
                let want = match p {
                    ")" => b'(',
                    "]" => b'[',
                    _ => b'{',
                };
                if let Some(pos) = self.frames.iter().rposition(|f| f.open == want) {
                    let closed = self.frames.drain(pos..).next();
                    if let Some(Frame {
                        kind: Call::Env | Call::EnvIndex,
                        lookup: Some(l),
                        ..
                    }) = closed
                    {
                        self.last_lookup = Some((l, i));
                        // `os.environ["X"] = ...` sets the variable; it does not read it.
                        if self.is(i + 1, "=") {
                            self.lookups[l].definition = true;
                        }
                    }
                }
                if p == "}" && self.syn != Syntax::Python {
                    self.end_statement();
                }
            }
            ";" if self.frames.last().is_none_or(|f| f.open != b'(') => self.end_statement(),
            "," => {
                if let Some(f) = self.frames.last_mut() {
                    f.arg += 1;
                    f.kw = None;
                }
            }
            "=" | ":=" => {
                let top_is_group = self
                    .frames
                    .last()
                    .is_some_and(|f| f.open == b'(' || f.open == b'[');
                if !top_is_group || p == ":=" {
                    self.target = self.assign_target(i).map(|n| (n, i));
                }
            }
            _ => {}
        }
    }

    /// The variable assigned by the `=` at `i`: `x =`, `self.x =`, `x: int =`, `let x: u16 =`.
    fn assign_target(&self, i: usize) -> Option<String> {
        if i == 0 || self.kind(i - 1) != Some(Tok::Ident) {
            return None;
        }
        if i >= 3 && self.is(i - 2, ":") && self.kind(i - 3) == Some(Tok::Ident) {
            return Some(self.text(i - 3).to_string());
        }
        if i >= 3
            && self.kind(i - 2) == Some(Tok::Ident)
            && matches!(self.text(i - 3), "var" | "const")
        {
            return Some(self.text(i - 2).to_string());
        }
        Some(self.text(i - 1).to_string())
    }

    fn open_frame(&self, i: usize, open: u8) -> Frame {
        let mut f = Frame {
            open,
            kind: Call::Plain,
            py_listen: false,
            weak: false,
            or_call: false,
            arg: 0,
            kw: None,
            flag_call: false,
            pending: None,
            lookup: None,
            port_named: false,
            bare: false,
        };
        if open == b'[' && i > 0 {
            let prev = self.text(i - 1);
            let member = i >= 2 && (self.is(i - 2, ".") || self.is(i - 2, "::"));
            let recv = if member {
                self.text(i.saturating_sub(3))
            } else {
                ""
            };
            let os_environ = prev == "environ"
                && self.kind(i - 1) == Some(Tok::Ident)
                && ((member && recv == "os") || (!member && self.bare_environ));
            if os_environ || (prev == "env" && member && recv == "process") {
                f.kind = Call::EnvIndex;
            }
            return f;
        }
        if open != b'(' {
            return f;
        }
        let Some(callee) = self.callee(i) else {
            f.bare = true;
            return f;
        };
        let declared = self.callee_start(i).is_some_and(|s| {
            s > 0 && matches!(self.text(s - 1), "def" | "function" | "fn" | "func")
        });
        if declared {
            f.kind = Call::Decl;
            return f;
        }
        f.kind = classify(&callee, self.syn);
        // A bare `environ` is os.environ only where the file imports it so (WSGI code has an
        // `environ` dict of its own).
        if f.kind == Call::Env && callee.starts_with("environ.") && !self.bare_environ {
            f.kind = Call::Plain;
        }
        // Python's `bind` takes an address pair (a bare number is `Signature.bind(1, 2)`).
        f.weak = matches!(
            last_segment(&callee),
            "run" | "Run" | "RunTLS" | "Start" | "StartTLS"
        ) || (matches!(self.syn, Syntax::Python | Syntax::Rust)
            && last_segment(&callee) == "bind");
        f.py_listen =
            matches!(self.syn, Syntax::Python | Syntax::Rust) && last_segment(&callee) == "listen";
        f.or_call = last_segment(&callee) == "Or";
        f
    }

    fn callee_start(&self, i: usize) -> Option<usize> {
        let mut j = i.checked_sub(1)?;
        if self.is(j, "!") {
            j = j.checked_sub(1)?;
        }
        if self.kind(j) != Some(Tok::Ident) {
            return None;
        }
        while j >= 2
            && (self.is(j - 1, ".") || self.is(j - 1, "::") || self.is(j - 1, "?."))
            && self.kind(j - 2) == Some(Tok::Ident)
        {
            j -= 2;
        }
        Some(j)
    }

    /// The dotted name before the `(` at `i` (`os.environ.get`, `env.var`, `println!`).
    fn callee(&self, i: usize) -> Option<String> {
        let s = self.callee_start(i)?;
        let mut name = String::new();
        // A method of a call's result (`Flask(__name__).run(`, `warp::serve(r).run(`): the
        // receiver is unnamed, but it is a method, not a free function.
        if s > 0 && (self.is(s - 1, ".") || self.is(s - 1, "?.")) {
            name.push_str("_.");
        }
        for k in s..i {
            match self.t[k].kind {
                Tok::Ident => name.push_str(self.text(k)),
                _ if self.is(k, "!") => name.push('!'),
                _ => name.push('.'),
            }
        }
        let first = self.text(s);
        if matches!(
            first,
            "if" | "elif"
                | "while"
                | "for"
                | "return"
                | "and"
                | "or"
                | "not"
                | "in"
                | "is"
                | "switch"
                | "catch"
                | "match"
                | "typeof"
                | "with"
                | "assert"
                | "lambda"
                | "yield"
                | "await"
                | "else"
        ) && s + 1 == i
        {
            return None;
        }
        Some(name)
    }

    fn ident(&mut self, i: usize) {
        let name = self.text(i);
        // Keyword argument or object key: `port=`, `port:` right after `(`, `{` or `,`.
        let after_sep = i > 0 && matches!(self.text(i - 1), "(" | "," | "{");
        let eq = self.is(i + 1, "=");
        let colon = self.is(i + 1, ":");
        // A typed parameter (`def serve(port: int = 9012)`) names its default like `port=`.
        if after_sep
            && let Some(f) = self.frames.last_mut()
            && ((f.open == b'(' && (eq || (colon && f.kind == Call::Decl)))
                || (f.open == b'{' && colon))
        {
            f.kw = Some(name.to_string());
            // `gai.set("host", "port", family=0)`: the value after a port-named string is the
            // next positional argument, never a keyword's.
            f.pending = None;
            return;
        }
        // `process.env.NAME` / `import.meta.env.NAME`.
        if i >= 4
            && self.is(i - 1, ".")
            && self.text(i - 2) == "env"
            && self.is(i - 3, ".")
            && matches!(self.text(i - 4), "process" | "meta")
            && self.syn == Syntax::JavaScript
        {
            let t = self.t[i];
            let idx = self.push_lookup(name, t.start, t.end);
            self.last_lookup = Some((idx, i));
            return;
        }
        // A bind whose port is a variable read from the environment.
        if self.in_bind()
            && !self.is(i + 1, "(")
            && !self.is(i + 1, "=")
            && let Some(var) = self.env_backed.get(name)
        {
            let t = self.t[i];
            self.sites.push(Site {
                kind: SiteKind::BindVar { var: var.clone() },
                start: t.start,
                end: t.end,
            });
        }
    }

    fn push_lookup(&mut self, var: &str, start: usize, end: usize) -> usize {
        if let Some((name, _)) = &self.target {
            self.env_backed.insert(name.clone(), var.to_string());
        }
        if self.in_bind() {
            self.sites.push(Site {
                kind: SiteKind::BindVar {
                    var: var.to_string(),
                },
                start,
                end,
            });
        }
        self.lookups.push(Lookup {
            var: var.to_string(),
            definition: false,
            start,
            end,
            default: None,
        });
        self.lookups.len() - 1
    }

    fn is_docstring(&self, i: usize) -> bool {
        let before =
            i == 0 || matches!(self.kind(i - 1), Some(Tok::Newline)) || self.is(i - 1, ";");
        let after = i + 1 >= self.t.len()
            || matches!(self.kind(i + 1), Some(Tok::Newline))
            || self.is(i + 1, ";");
        before && after && self.frames.iter().all(|f| f.open == b'{')
    }

    fn string(&mut self, i: usize) {
        let tok = self.t[i];
        let masked;
        let content = if self.t.get(i + 1).is_some_and(|n| n.start < tok.end) {
            // An f-string's text is read once per f-string it sits in: past a few levels of
            // nesting (only a made-up file has them) it is not read, so that the work stays
            // linear in the file.
            while self.fstrings.last().is_some_and(|&e| e <= tok.start) {
                self.fstrings.pop();
            }
            self.fstrings.push(tok.end);
            if self.fstrings.len() > MAX_FSTRING_NESTING {
                return;
            }
            masked = self.masked_content(i);
            masked.as_str()
        } else {
            self.content(i)
        };
        // A key in an object or dict: `{"port": 9000}`.
        let after_sep = i > 0 && matches!(self.text(i - 1), "{" | ",");
        if after_sep
            && self.is(i + 1, ":")
            && let Some(f) = self.frames.last_mut()
            && f.open == b'{'
        {
            f.kw = Some(content.to_string());
            return;
        }
        if self.in_log() || self.is_docstring(i) {
            return;
        }
        if let Some(f) = self.frames.last()
            && matches!(f.kind, Call::Env | Call::EnvIndex)
        {
            let name_arg = match f.kw.as_deref() {
                None => f.arg == 0,
                // `os.getenv(key="X", default="9000")`
                Some(k) => k == "key",
            };
            if name_arg && f.lookup.is_none() {
                // `os.getenv("SYMPY_" + key)`, `os.getenv(f"{p}_PORT")`: a name built from an
                // expression is no variable anyone can look up or define.
                if !self.whole_value(i) {
                    return;
                }
                let idx = self.push_lookup(content, tok.cs, tok.ce);
                self.frames.last_mut().unwrap().lookup = Some(idx);
                return;
            }
            if let Some(l) = f.lookup
                && ((f.arg == 1 && f.kw.is_none()) || f.kw.as_deref() == Some("default"))
                && self.whole_value(i)
            {
                self.set_default(l, content, tok.cs, tok.ce);
                return;
            }
        }
        if self.default_after_lookup(i, content, tok.cs, tok.ce) {
            return;
        }
        if is_port_flag(content) {
            if let Some(f) = self.frames.last_mut() {
                f.flag_call = true;
                f.pending = Some(PortCtx::Flag);
            }
            return;
        }
        if is_port_name(content)
            && self.is(i + 1, ",")
            && let Some(f) = self.frames.last_mut()
            && f.open == b'('
        {
            f.pending = Some(PortCtx::Keyword);
            f.port_named = true;
            return;
        }
        if let Some(v) = port_value(content)
            && content.bytes().all(|c| c.is_ascii_digit())
        {
            self.literal(i, v, tok.cs, tok.ce, content);
            self.after_value();
            return;
        }
        let whole = self.position_ctx(i).or(Some(PortCtx::HostPort));
        // (URLs built from placeholders, `f"ws://{host}"`, are skipped by scan_text.)
        scan_text(content, tok.cs, whole, &mut self.sites);
        self.after_value();
    }

    /// Whether the literal at `i` is a whole argument or index (`("X")`, `, "9000")`,
    /// `default="9000")`), not a piece of an expression (`"SYMPY_" + key`, `1024 * 1024`).
    fn whole_value(&self, i: usize) -> bool {
        i > 0 && matches!(self.text(i - 1), "(" | "[" | "," | "=") && self.ends_value(i)
    }

    /// Whether the expression ends right after the token at `i` (at a separator, a closing
    /// bracket or the end of the statement).
    fn ends_value(&self, i: usize) -> bool {
        match self.t.get(i + 1) {
            None => true,
            Some(t) if t.kind == Tok::Newline => true,
            Some(t) if t.kind == Tok::Str => false,
            Some(_) => matches!(self.text(i + 1), "," | ")" | "]" | "}" | ";"),
        }
    }

    /// The text of the f-string at `i` with the code of its replacement fields (the tokens
    /// after it that lie inside it) blanked out, braces kept: the fields are scanned as code
    /// on their own, and the text still shows where a placeholder sits (`http://{____}:9010/`).
    fn masked_content(&self, i: usize) -> String {
        let t = self.t[i];
        let mut b = self.src.as_bytes()[t.cs..t.ce].to_vec();
        // Tokens inside a nested f-string already blanked are passed over.
        let mut blanked = 0;
        for f in self.t[i + 1..].iter().take_while(|f| f.start < t.end) {
            if f.start < blanked
                || (f.kind == Tok::Punct && matches!(self.src.as_bytes()[f.start], b'{' | b'}'))
            {
                continue;
            }
            for p in f.start.max(t.cs)..f.end.min(t.ce) {
                b[p - t.cs] = b'_';
            }
            blanked = f.end;
        }
        String::from_utf8(b).unwrap_or_else(|_| self.content(i).to_string())
    }

    fn set_default(&mut self, l: usize, text: &str, start: usize, end: usize) {
        if self.lookups[l].default.is_none() {
            self.lookups[l].default = Some(Fallback {
                text: text.to_string(),
                start,
                end,
            });
        }
    }

    /// `os.getenv("X") or 9000`, `process.env.X || 9000`, `env::var("X").unwrap_or("9000")`,
    /// `cmp.Or(os.Getenv("X"), "9000")`: the literal at `i` is the default of the lookup that
    /// just ended.
    fn default_after_lookup(&mut self, i: usize, text: &str, start: usize, end: usize) -> bool {
        let Some((l, e)) = self.last_lookup else {
            return false;
        };
        if i <= e || i - e > 24 {
            return false;
        }
        let mut has_op = false;
        let mut comma = false;
        // Rust's `unwrap_or("9000".into())` converts the literal it gives.
        let mut unwrap = false;
        for k in e + 1..i {
            let s = self.text(k);
            // `parseInt(process.env.X, 10) || 9000`: a radix (`, 10)`) is passed over.
            let radix_comma = s == "," && self.kind(k + 1) == Some(Tok::Num) && self.is(k + 2, ")");
            let radix = self.t[k].kind == Tok::Num && self.is(k - 1, ",") && self.is(k + 1, ")");
            if radix_comma || radix {
                continue;
            }
            match self.t[k].kind {
                Tok::Ident => {
                    if s == "or" || s.starts_with("unwrap_or") {
                        has_op = true;
                        unwrap |= s.starts_with("unwrap_or");
                    }
                }
                Tok::Punct => match s {
                    "||" | "??" => has_op = true,
                    // `os.environ["X"] = "9011"`: setting the variable.
                    "=" if k == e + 1 => {
                        has_op = true;
                        self.lookups[l].definition = true;
                    }
                    "," => comma = true,
                    ")" | "(" | "." | "|" | "=>" | "?" | "&" => {}
                    _ => return false,
                },
                _ => return false,
            }
        }
        if comma {
            has_op = self.frames.last().is_some_and(|f| f.or_call && f.arg == 1);
        }
        if !has_op {
            return false;
        }
        // Only a literal that is the whole operand is the default: not the `"1"` of
        // `os.environ["X"] = "1" if v else "0"`, the `" "` of `" ".join(..)` or the `"~"` of
        // `os.getenv("X") or os.path.expanduser("~")`.
        let whole =
            matches!(self.text(i - 1), "or" | "||" | "??" | "=" | ",") && self.ends_value(i);
        if !unwrap && !whole {
            return false;
        }
        self.set_default(l, text, start, end);
        self.last_lookup = None;
        true
    }

    /// The token before the value that starts at `i`, looking through conversion calls
    /// (`int(`, `Number(`) and parentheses around the value alone (`(9022)`): returns (index,
    /// frame depth of that position).
    fn value_anchor(&self, i: usize) -> (usize, usize) {
        let mut j = i;
        let mut depth = self.frames.len();
        let mut end = i + 1;
        while depth > 0 && j > 0 && self.is(j - 1, "(") {
            let f = &self.frames[depth - 1];
            if f.kind == Call::Conv {
                j = self.callee_start(j - 1).unwrap_or(j - 1);
            } else if f.bare && self.is(end, ")") {
                j -= 1;
                end += 1;
            } else {
                break;
            }
            depth -= 1;
        }
        (j, depth)
    }

    /// Whether the string at `i` is a direct argument of a bind or connect call (where a
    /// `host:port` string is that call's address).
    fn position_ctx(&self, i: usize) -> Option<PortCtx> {
        let (j, depth) = self.value_anchor(i);
        let f = depth.checked_sub(1).map(|d| &self.frames[d]);
        let prev = j.checked_sub(1);
        let after_sep = prev.is_some_and(|p| matches!(self.text(p), "(" | ","));
        if let Some(f) = f {
            if f.kind == Call::Bind && f.open == b'(' && after_sep && f.kw.is_none() {
                return Some(PortCtx::Bind);
            }
            if f.kind == Call::Connect && f.open == b'(' && after_sep && f.kw.is_none() {
                return Some(PortCtx::Connect);
            }
        }
        None
    }

    fn literal(&mut self, i: usize, v: u16, start: usize, end: usize, text: &str) {
        if self.in_log() {
            return;
        }
        if self.default_after_lookup(i, text, start, end) {
            return;
        }
        if let Some(f) = self.frames.last()
            && matches!(f.kind, Call::Env)
            && let Some(l) = f.lookup
            && ((f.arg == 1 && f.kw.is_none()) || f.kw.as_deref() == Some("default"))
            && self.whole_value(i)
        {
            self.set_default(l, text, start, end);
            return;
        }
        let (j, depth) = self.value_anchor(i);
        let ctx = self.frame_ctx(i, j, depth, v);
        // `port = 9000` where `port` was read from an env var earlier (`if port is None:
        // port = 9000`) is that lookup's default, unless the lookup has one already: then it is
        // a plain assignment and judged as one (not silently dropped).
        if ctx.is_none()
            && let Some((name, eq)) = self.target.clone()
            && eq + 1 == j
            && let Some(var) = self.env_backed.get(&name)
            && let Some(idx) = self.lookups.iter().rposition(|l| &l.var == var)
            && self.lookups[idx].default.is_none()
        {
            self.set_default(idx, text, start, end);
            return;
        }
        let ctx = ctx.or_else(|| {
            let (name, eq) = self.target.as_ref()?;
            (*eq + 1 == j && is_port_name(name)).then_some(PortCtx::Assign)
        });
        if let Some(ctx) = ctx {
            self.sites.push(Site::port(v, ctx, start, end));
        }
    }

    /// The port position given by the brackets around the literal at `i` (`j` is where its
    /// value starts, `depth` the frames enclosing that).
    fn frame_ctx(&self, i: usize, j: usize, depth: usize, v: u16) -> Option<PortCtx> {
        let f = depth.checked_sub(1).map(|d| &self.frames[d])?;
        let prev = j.checked_sub(1).map(|p| self.text(p)).unwrap_or("");
        if let Some(ctx) = f.pending {
            return Some(ctx);
        }
        if let Some(k) = &f.kw {
            if is_port_name(k) {
                // `new WebSocket.Server({ port: 8081 })`: an options object of a bind.
                let parent = depth.checked_sub(2).map(|d| self.frames[d].kind);
                if f.open == b'{' && parent == Some(Call::Bind) {
                    return Some(PortCtx::Bind);
                }
                return Some(match (f.kind, f.open) {
                    (Call::Bind, _) => PortCtx::Bind,
                    (Call::Connect, _) => PortCtx::Connect,
                    (_, b'{') | (Call::Decl, _) => PortCtx::Assign,
                    _ => PortCtx::Keyword,
                });
            }
            if k == "default" && f.flag_call {
                return Some(PortCtx::Flag);
            }
            if k == "default" && f.port_named {
                return Some(PortCtx::Keyword);
            }
            return None;
        }
        // `(host, port)` / `[host, port]`, and Rust's `([127, 0, 0, 1], port)`.
        let string_host = j >= 3
            && self.kind(j - 2) == Some(Tok::Str)
            && matches!(self.text(j - 3), "(" | "[")
            && self.is_host_str(j - 2);
        let octets_host = self.syn == Syntax::Rust
            && j >= 11
            && self.is(j - 2, "]")
            && self.is(j - 10, "[")
            && self.is(j - 11, "(")
            && (0..4).all(|k| {
                let at = j - 9 + 2 * k;
                self.kind(at) == Some(Tok::Num)
                    && self.text(at).parse::<u8>().is_ok()
                    && (k == 3 || self.is(at + 1, ","))
            });
        // `sock.bind((HOST, 9010))`, `connect((self.host, 9010))`: a named host counts only as
        // the pair a bind or connect call is given (`x = (a, 9010)` is no address).
        let named_host = f.kind == Call::Plain
            && depth >= 2
            && matches!(self.frames[depth - 2].kind, Call::Bind | Call::Connect)
            && j >= 3
            && {
                let mut k = j - 2;
                while k > 0 && (self.kind(k) == Some(Tok::Ident) || self.is(k, ".")) {
                    k -= 1;
                }
                k < j - 2
                    && matches!(self.text(k), "(" | "[")
                    && self.kind(k + 1) == Some(Tok::Ident)
            };
        if prev == ","
            && (string_host || octets_host || named_host)
            && matches!(self.text(i + 1), ")" | "]")
        {
            // `app.run("0.0.0.0", 5000)` is the call's own argument list; `bind(("", 1))`
            // is a pair inside it.
            let outer = match f.kind {
                Call::Bind | Call::Connect => Some(f.kind),
                _ => depth.checked_sub(2).map(|d| self.frames[d].kind),
            };
            return Some(match outer {
                Some(Call::Bind) => PortCtx::Bind,
                Some(Call::Connect) => PortCtx::Connect,
                _ => PortCtx::HostPort,
            });
        }
        if matches!(prev, "(" | ",") && f.open == b'(' {
            if f.kind == Call::Bind {
                if f.weak {
                    return None;
                }
                // Python's socket `listen(n)` and Rust's socket2/tokio `listen(n)` take a
                // backlog; only Python web frameworks (`app.listen(8888)`) take a port.
                if f.py_listen && (v <= 1024 || self.syn == Syntax::Rust) {
                    return None;
                }
                return Some(PortCtx::Bind);
            }
            if f.kind == Call::Connect {
                return Some(PortCtx::Connect);
            }
        }
        None
    }

    fn is_host_str(&self, i: usize) -> bool {
        let c = self.content(i);
        c.is_empty()
            || c == "localhost"
            || c == "0.0.0.0"
            || c == "::"
            || c == "::1"
            || (c.contains('.')
                && c.chars()
                    .all(|x| x.is_ascii_alphanumeric() || x == '.' || x == '-'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sites(src: &str, syn: Syntax) -> Vec<String> {
        let mut s = Scan::default();
        scan(src, syn, 0, &mut s);
        s.sites
            .iter()
            .map(|x| format!("{:?} @{}", x.kind, &src[x.start..x.end]))
            .collect()
    }

    #[test]
    fn python_positions() {
        let s = sites("app.run(port=9010)\ntime.sleep(9000)\n", Syntax::Python);
        assert_eq!(s, ["Port { port: 9010, ctx: Bind } @9010"]);
        let s = sites("server.bind((\"localhost\", 9000))\n", Syntax::Python);
        assert_eq!(s, ["Port { port: 9000, ctx: Bind } @9000"]);
        let s = sites("s.listen(5)\n", Syntax::Python);
        assert!(s.is_empty());
        let s = sites("p = int(os.getenv(\"A_PORT\", \"9000\"))\n", Syntax::Python);
        assert_eq!(s.len(), 1, "{s:?}");
        assert!(s[0].contains("default: Some"), "{s:?}");
    }

    #[test]
    fn nesting_beyond_the_cap_keeps_the_brackets_balanced() {
        // Brackets past MAX_DEPTH are counted, not tracked; once they close, positions read
        // as before.
        let deep = format!(
            "x = {}1{}\napp.run(port=9010)\n",
            "(".repeat(5 * MAX_DEPTH),
            ")".repeat(5 * MAX_DEPTH)
        );
        let s = sites(&deep, Syntax::Python);
        assert_eq!(s, ["Port { port: 9010, ctx: Bind } @9010"]);
        let inside = format!("{}app.run(port=9010){}", "[".repeat(50), "]".repeat(50));
        assert_eq!(sites(&inside, Syntax::Python).len(), 1);
    }

    #[test]
    fn fstring_fields_and_text() {
        let s = sites(
            "x = f\"http://{host}:8123/{os.getenv('A_PORT', '8124')}\"\n",
            Syntax::Python,
        );
        assert_eq!(s.len(), 2, "{s:?}");
        assert!(s[0].starts_with("Port { port: 8123, ctx: Url }"), "{s:?}");
        assert!(s[1].contains("A_PORT") && s[1].contains("8124"), "{s:?}");
        // A string in a field is read once, as code, not again as the f-string's text.
        let s = sites("x = f\"{'http://localhost:8123'}\"\n", Syntax::Python);
        assert_eq!(s, ["Port { port: 8123, ctx: Url } @8123"]);
        // Nesting a made-up file could hold stays linear: 100,000 levels.
        let deep = format!("app.run(port=8123)\nx = {}\n", "f'{".repeat(100_000));
        assert_eq!(sites(&deep, Syntax::Python).len(), 1);
    }

    #[test]
    fn js_defaults_and_logs() {
        let s = sites(
            "const p = process.env.A_PORT || 9000;\nconsole.log('localhost:9000');\n",
            Syntax::JavaScript,
        );
        assert_eq!(s.len(), 1, "{s:?}");
        assert!(
            s[0].contains("A_PORT") && s[0].contains("\"9000\""),
            "{s:?}"
        );
    }
}
