//! One module per subcommand; each exposes `run(&Ctx, Args) -> CmdResult`.

pub mod check;
pub mod env;
pub mod get;
pub mod init;
pub mod list;
