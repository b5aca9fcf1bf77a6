//! What portlaw knows about a process, and the pure parsers of the `/proc/<pid>/*` text it
//! comes from (`stat`, `cmdline`) and of `/etc/passwd` for user names. Small enough by hand
//! (see [`crate::sockets`] for why not the `procfs` crate); the `comm` field's parentheses are
//! the one trap, and it is tested.
//!
//! ```
//! use portlaw_probe::process::parse_stat;
//! let s = parse_stat("4242 (my server) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 0 0").unwrap();
//! assert_eq!((s.comm.as_str(), s.state, s.ppid, s.start_ticks), ("my server", 'S', 1, 987654));
//! ```

use serde::Serialize;
use std::path::PathBuf;

/// A process that holds a socket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Process {
    pub pid: u32,
    pub ppid: u32,
    pub uid: u32,
    /// The user name, or the uid as text when it has no name.
    pub user: String,
    /// The kernel's command name (`comm`, at most 15 bytes).
    pub comm: String,
    /// The executable's path, when it can be read.
    pub exe: Option<PathBuf>,
    /// The full command line, one element per argument.
    pub cmdline: Vec<String>,
    /// The working directory, when it can be read.
    pub cwd: Option<PathBuf>,
    /// Start time in seconds since the Unix epoch.
    pub started: Option<u64>,
    /// Start time in clock ticks since boot: with the pid, the process's identity (a reused
    /// pid has a different start time).
    pub start_ticks: u64,
}

impl Process {
    /// The command line as one string (arguments joined by spaces), or `[comm]` for a process
    /// without one (kernel threads, zombies).
    pub fn command(&self) -> String {
        if self.cmdline.is_empty() {
            format!("[{}]", self.comm)
        } else {
            self.cmdline.join(" ")
        }
    }

    /// The executable's file name, else the command name.
    pub fn exe_name(&self) -> String {
        self.exe
            .as_ref()
            .and_then(|p| p.file_name())
            .map(|n| {
                n.to_string_lossy()
                    .trim_end_matches(" (deleted)")
                    .to_string()
            })
            .unwrap_or_else(|| self.comm.clone())
    }
}

/// The fields of `/proc/<pid>/stat` portlaw uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    pub comm: String,
    pub state: char,
    pub ppid: u32,
    pub start_ticks: u64,
}

/// Parse `/proc/<pid>/stat`. The command name sits in parentheses and may itself contain
/// spaces and parentheses, so the fields are counted from the *last* `)`.
pub fn parse_stat(text: &str) -> Option<Stat> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text.get(open + 1..close)?.to_string();
    let mut rest = text.get(close + 1..)?.split_ascii_whitespace();
    // After the name: field 3 is the state, 4 the parent pid, 22 the start time.
    let state = rest.next()?.chars().next()?;
    let ppid = rest.next()?.parse().ok()?;
    let start_ticks = rest.nth(22 - 5)?.parse().ok()?;
    Some(Stat {
        comm,
        state,
        ppid,
        start_ticks,
    })
}

/// Parse `/proc/<pid>/cmdline` (NUL-terminated arguments). Trailing NULs are dropped (a
/// process that rewrites its title may pad with them); an empty argument inside is kept.
pub fn parse_cmdline(bytes: &[u8]) -> Vec<String> {
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    if end == 0 {
        return Vec::new();
    }
    bytes[..end]
        .split(|&b| b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

/// The `btime` line of `/proc/stat`: boot time in seconds since the epoch.
pub fn parse_btime(proc_stat: &str) -> Option<u64> {
    proc_stat
        .lines()
        .find_map(|l| l.strip_prefix("btime "))
        .and_then(|v| v.trim().parse().ok())
}

/// The name of `uid` in `/etc/passwd` text.
pub fn user_name(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        let _pw = f.next()?;
        (f.next()?.parse::<u32>().ok()? == uid).then(|| name.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_with_spaces_and_parens_in_the_name() {
        let t = "77 (a (weird) name) R 12 77 77 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 55555 1 2 3";
        let s = parse_stat(t).unwrap();
        assert_eq!(s.comm, "a (weird) name");
        assert_eq!((s.state, s.ppid, s.start_ticks), ('R', 12, 55555));
    }

    #[test]
    fn truncated_stat_is_none() {
        assert!(parse_stat("77 (x) S 1 2 3").is_none());
        assert!(parse_stat("garbage").is_none());
    }

    #[test]
    fn cmdline_splits_on_nul_and_keeps_empty_args_inside() {
        assert_eq!(
            parse_cmdline(b"python3\0-m\0http.server\09000\0"),
            ["python3", "-m", "http.server", "9000"]
        );
        assert!(parse_cmdline(b"").is_empty());
        assert_eq!(parse_cmdline(b"cmd\0\0x\0"), ["cmd", "", "x"]);
        assert_eq!(parse_cmdline(b"title\0\0\0\0"), ["title"]);
        // Processes that rewrite their title may use spaces and no NULs.
        assert_eq!(
            parse_cmdline(b"nginx: worker process\0"),
            ["nginx: worker process"]
        );
    }

    #[test]
    fn btime_and_user_names() {
        assert_eq!(
            parse_btime("cpu 1 2 3\nbtime 1700000000\nprocesses 5\n"),
            Some(1700000000)
        );
        assert_eq!(parse_btime("cpu 1\n"), None);
        let pw = "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n";
        assert_eq!(user_name(pw, 1000).as_deref(), Some("alice"));
        assert_eq!(user_name(pw, 0).as_deref(), Some("root"));
        assert_eq!(user_name(pw, 4), None);
    }

    #[test]
    fn command_and_exe_name_fallbacks() {
        let mut p = Process {
            pid: 1,
            ppid: 0,
            uid: 0,
            user: "root".into(),
            comm: "kworker".into(),
            exe: None,
            cmdline: vec![],
            cwd: None,
            started: None,
            start_ticks: 0,
        };
        assert_eq!(p.command(), "[kworker]");
        assert_eq!(p.exe_name(), "kworker");
        p.exe = Some("/opt/google/chrome/chrome (deleted)".into());
        assert_eq!(p.exe_name(), "chrome");
    }
}
