//! What a call is, from its dotted name: an env lookup, a server bind, a client connect, a log
//! or exception message, a type conversion. The lists are the APIs of the standard libraries
//! and the common web frameworks of Python, JavaScript, Rust and Go.

use crate::lex::Syntax;

/// The kinds of call (and bracket) the scanner tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// A bracket that is not a call, or a call of no interest.
    Plain,
    Log,
    Env,
    /// `os.environ[` / `process.env[`.
    EnvIndex,
    Bind,
    Connect,
    /// `int(`, `Number(`, `parseInt(`: look through to the enclosing position.
    Conv,
    /// A function's parameter list (`def serve(port=9000)`).
    Decl,
}

pub fn last_segment(callee: &str) -> &str {
    callee
        .rsplit('.')
        .next()
        .unwrap_or(callee)
        .trim_end_matches('!')
}

/// What kind of call `callee` is, from its dotted name.
pub fn classify(callee: &str, syn: Syntax) -> Call {
    let last = last_segment(callee);
    let segs: Vec<&str> = callee.split('.').collect();
    let root = segs[0];
    const ENV: [&str; 14] = [
        "os.getenv",
        "getenv",
        "os.environ.get",
        "environ.get",
        "os.environ.setdefault",
        "environ.setdefault",
        "env.var",
        "std.env.var",
        "env.var_os",
        "std.env.var_os",
        "option_env!",
        "os.Getenv",
        "os.LookupEnv",
        "Deno.env.get",
    ];
    if ENV.contains(&callee) || (callee == "env!" && syn == Syntax::Rust) {
        return Call::Env;
    }
    let log_root = segs.iter().any(|s| {
        matches!(
            s.trim_start_matches('_'),
            "log" | "logger" | "logging" | "console" | "LOG" | "LOGGER" | "slog" | "tracing"
        )
    });
    let log_last = matches!(
        last,
        "print"
            | "println"
            | "eprintln"
            | "eprint"
            | "printf"
            | "debug"
            | "info"
            | "warn"
            | "warning"
            | "error"
            | "critical"
            | "exception"
            | "fatal"
            | "trace"
            | "Print"
            | "Println"
            | "Printf"
            | "Fatal"
            | "Fatalf"
            | "Fatalln"
            | "Panic"
            | "Panicf"
            | "Errorf"
            | "panic"
            | "assert"
            | "assert_eq"
            | "bail"
            | "anyhow"
            | "write"
            | "writeln"
            | "echo"
            | "Debug"
            | "Info"
            | "Warn"
            | "Error"
            | "expect"
            | "unreachable"
            | "todo"
            | "alert"
    );
    let exception = ["Error", "Exception", "Warning"]
        .iter()
        .any(|s| last.ends_with(s) && last.len() > s.len());
    if log_root || log_last || exception {
        return Call::Log;
    }
    if matches!(
        callee,
        "int" | "str" | "Number" | "parseInt" | "String" | "float" | "Number.parseInt" | "u16"
    ) {
        return Call::Conv;
    }
    let bind = matches!(
        last,
        "bind"
            | "listen"
            | "serve"
            | "run_app"
            | "start_server"
            | "create_server"
            | "make_server"
            | "ListenAndServe"
            | "ListenAndServeTLS"
            | "Listen"
            | "ListenPacket"
            | "ListenTCP"
            | "ListenUDP"
            | "HTTPServer"
            | "ThreadingHTTPServer"
            | "TCPServer"
            | "UDPServer"
            | "ThreadingTCPServer"
            | "ThreadingUDPServer"
            | "WSGIServer"
            | "WebSocketServer"
            | "bind_tcp"
            | "listen_tcp"
            | "serve_forever"
            | "TCPSite"
            | "run_server"
    ) || (last == "Server" && segs.len() > 1)
        // gin's `r.Run(":8080")`, echo's `e.Start(":1323")` (weak: see `Frame::weak`).
        || (syn == Syntax::Go
            && matches!(last, "Run" | "RunTLS" | "Start" | "StartTLS")
            && segs.len() > 1)
        || (last == "run"
            && !matches!(
                root,
                "subprocess"
                    | "asyncio"
                    | "trio"
                    | "anyio"
                    | "loop"
                    | "os"
                    | "runner"
                    | "cmd"
                    | "exec"
                    | "pool"
                    | "executor"
                    | "tokio"
                    | "rt"
                    | "runtime"
                    | "child_process"
            )
            && segs.len() > 1);
    if bind {
        return Call::Bind;
    }
    if matches!(
        last,
        "connect"
            | "create_connection"
            | "open_connection"
            | "Dial"
            | "DialTimeout"
            | "WebSocket"
            | "HTTPConnection"
            | "HTTPSConnection"
            | "connect_ex"
            | "JoinHostPort"
    ) {
        return Call::Connect;
    }
    Call::Plain
}
