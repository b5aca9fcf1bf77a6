//! One module per subcommand; each exposes `run(&Ctx, Args) -> CmdResult`.

pub mod add;
pub mod check;
pub mod env;
pub mod exec;
pub mod free;
pub mod get;
pub mod holders;
pub mod hook;
pub mod init;
pub mod lint;
pub mod list;
pub mod render;
pub mod retire;
pub mod set_status;
pub mod status;
pub mod validate;
pub mod who;
