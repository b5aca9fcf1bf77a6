//! The `portlaw` binary: everything is in the library ([`portlaw::run`]).

use std::process::ExitCode;

fn main() -> ExitCode {
    portlaw::run(std::env::args_os()).into()
}
