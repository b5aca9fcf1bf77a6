//! `portlaw retire ID`: the service stays in the registry with status `retired`, a tombstone
//! that keeps its port (and env var name) from ever being handed out again; its variable
//! leaves ports.env and the docs' env table.

use portlaw_core::Status;

use crate::args::RetireArgs;
use crate::{CmdResult, Ctx};

pub fn run(ctx: &Ctx, args: RetireArgs) -> CmdResult {
    crate::commands::set_status::change(ctx, &args.id, Status::Retired, args.dry_run, args.json)
}
