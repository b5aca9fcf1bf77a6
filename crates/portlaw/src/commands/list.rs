//! `portlaw list`: the registry as a table.

use crate::args::ListArgs;
use crate::exit::ExitStatus;
use crate::{CmdResult, Ctx, ui};

pub fn run(ctx: &Ctx, args: ListArgs) -> CmdResult {
    let project = ctx.project()?;
    let reg = &project.registry;
    let mut services: Vec<_> = reg.services.iter().collect();
    services.sort_by_key(|s| s.port);
    if args.json {
        #[derive(serde::Serialize)]
        struct Row<'a> {
            #[serde(flatten)]
            service: &'a portlaw_core::Service,
            range: Option<&'a str>,
        }
        let rows: Vec<Row> = services
            .iter()
            .map(|s| Row {
                service: s,
                range: reg.range_of(s.port).map(|r| r.name.as_str()),
            })
            .collect();
        ui::json(&rows)?;
        return Ok(ExitStatus::Success);
    }
    let rows: Vec<Vec<String>> = services
        .iter()
        .map(|s| {
            let status = match s.status {
                portlaw_core::Status::Active => ui::paint(ui::GREEN, &s.status),
                portlaw_core::Status::Retired => ui::paint(ui::DIM, &s.status),
                _ => s.status.to_string(),
            };
            vec![
                s.port.to_string(),
                s.id.clone(),
                s.name.clone(),
                s.env.clone(),
                s.protocol_label(),
                status,
                reg.range_of(s.port)
                    .map(|r| r.name.clone())
                    .unwrap_or_else(|| "-".into()),
                if s.owners.is_empty() {
                    "-".into()
                } else {
                    s.owners.join(", ")
                },
            ]
        })
        .collect();
    ui::table(
        &[
            "PORT", "ID", "NAME", "ENV", "PROTOCOL", "STATUS", "RANGE", "OWNER",
        ],
        &rows,
    )?;
    Ok(ExitStatus::Success)
}
