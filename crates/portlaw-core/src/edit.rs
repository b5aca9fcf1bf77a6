//! Edits to `config/ports.toml` text that keep everything else as it was: comments, blank
//! lines, key order, quoting. `toml_edit` does the parsing and printing; this module decides
//! where a new `[[service]]` goes (after the service with the next lower port, so a file kept
//! in port order stays in port order) and changes one `status` value in place.
//!
//! ```
//! use portlaw_core::edit::{self, NewService};
//! let text = "# my registry\n[[service]]\nid = \"a\"\nname = \"A\"\nport = 110 # first\nenv = \"A_PORT\"\n";
//! let svc = NewService { id: "b".into(), name: "B".into(), port: 111, env: "B_PORT".into(),
//!     protocols: vec!["HTTP".into()], purpose: "Bee".into(), owners: vec![], status: "allocated".into() };
//! let out = edit::add_service(text, "ports.toml", &svc).unwrap();
//! assert!(out.starts_with(text));
//! assert!(out.ends_with("\n[[service]]\nid = \"b\"\nname = \"B\"\nport = 111\nenv = \"B_PORT\"\nprotocol = \"HTTP\"\npurpose = \"Bee\"\nstatus = \"allocated\"\n"));
//! ```

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, Value};

use crate::error::Error;
use crate::registry::Registry;

mod splice;

/// A service to append, in the registry's own terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewService {
    pub id: String,
    pub name: String,
    pub port: u16,
    pub env: String,
    pub protocols: Vec<String>,
    pub purpose: String,
    pub owners: Vec<String>,
    pub status: String,
}

fn parse(text: &str, file: &str) -> Result<DocumentMut, Error> {
    text.parse::<DocumentMut>()
        .map_err(|e| Error::toml(file, text, e.span(), e.message()))
}

/// One string, or a list when there are several (the form the built-in registry uses).
fn one_or_many(items: &[String]) -> Value {
    match items {
        [one] => Value::from(one.as_str()),
        many => Value::Array(many.iter().map(String::as_str).collect()),
    }
}

fn services_mut<'d>(doc: &'d mut DocumentMut, file: &str) -> Result<&'d mut ArrayOfTables, Error> {
    if !doc.contains_key("service") {
        doc.insert("service", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    doc.get_mut("service")
        .and_then(Item::as_array_of_tables_mut)
        .ok_or_else(|| Error::Input {
            file: file.to_string(),
            line: 0,
            col: 0,
            message: "`service` must be an array of tables ([[service]])".into(),
        })
}

/// `svc` as a `[[service]]` table, keys in the built-in registry's order.
fn service_table(svc: &NewService) -> Table {
    let mut t = Table::new();
    t.insert("id", svc.id.as_str().into());
    t.insert("name", svc.name.as_str().into());
    t.insert("port", i64::from(svc.port).into());
    t.insert("env", svc.env.as_str().into());
    if !svc.protocols.is_empty() {
        t.insert("protocol", Item::Value(one_or_many(&svc.protocols)));
    }
    if !svc.purpose.is_empty() {
        t.insert("purpose", svc.purpose.as_str().into());
    }
    if !svc.owners.is_empty() {
        t.insert("owner", Item::Value(one_or_many(&svc.owners)));
    }
    t.insert("status", svc.status.as_str().into());
    t
}

/// `before` with `svc` added: the registry as it will be written (its `text` is the new file).
///
/// The edit is first tried as a splice of the new table's text into the file (see
/// [`splice`]), kept only if the result parses to exactly `before` plus `svc`; otherwise the
/// whole document goes through `toml_edit`. Both keep every comment; the splice just avoids
/// re-printing a 10,000-service file, which is most of the cost of `portlaw add` there.
pub fn with_service(before: &Registry, svc: &NewService) -> Result<Registry, Error> {
    let origin = before.origin.clone();
    let table = table_text(svc);
    // The service exactly as the loader reads it back (whatever fields it grows).
    let alone = Registry::parse(&table, origin.clone())?;
    if let Some((text, at)) = splice::add(before, &table) {
        let mut expected = before.clone();
        expected.services.insert(at, alone.services[0].clone());
        if let Ok(after) = Registry::parse(&text, origin.clone())
            && after == expected
            && after.extra == before.extra
        {
            return Ok(after);
        }
    }
    let text = add_service(&before.text, &origin.display_path(), svc)?;
    Registry::parse(&text, origin)
}

/// `before` with service `id`'s status set to `status` (fast path and fallback as in
/// [`with_service`]).
pub fn with_status(before: &Registry, id: &str, status: &str) -> Result<Registry, Error> {
    let origin = before.origin.clone();
    if let Some(text) = splice::status(before, id, status) {
        let mut expected = before.clone();
        for s in expected.services.iter_mut().filter(|s| s.id == id).take(1) {
            s.status = crate::Status::parse(status);
        }
        if let Ok(after) = Registry::parse(&text, origin.clone())
            && after == expected
            && after.extra == before.extra
        {
            return Ok(after);
        }
    }
    let text = set_status(&before.text, &origin.display_path(), id, status)?;
    Registry::parse(&text, origin)
}

/// The text of `svc` as a lone `[[service]]` table, as `toml_edit` prints it.
fn table_text(svc: &NewService) -> String {
    let mut doc = DocumentMut::new();
    let mut a = ArrayOfTables::new();
    a.push(service_table(svc));
    doc.insert("service", Item::ArrayOfTables(a));
    doc.to_string().trim_start_matches('\n').to_string()
}

/// `toml_edit` prints every line end as `\n`: a file written with CRLF throughout gets CRLF
/// back, so an edit does not turn into a change of every line.
fn same_line_ends(original: &str, out: String) -> String {
    let crlf = original.matches("\r\n").count();
    if crlf == 0 || crlf != original.matches('\n').count() {
        return out;
    }
    out.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// The text with `svc` added as a new `[[service]]`.
pub fn add_service(text: &str, file: &str, svc: &NewService) -> Result<String, Error> {
    let mut doc = parse(text, file)?;
    // A file of nothing but comments keeps them all as trailing text, which would print
    // after the new table: make them the new table's prefix instead.
    let only_comments = doc.as_table().is_empty();
    let trailing = doc.trailing().as_str().unwrap_or_default().to_string();
    let services = services_mut(&mut doc, file)?;
    let mut t = service_table(svc);

    // After the service with the highest port below the new one (the last such, in file
    // order); a table with no position of its own is printed right after the table visited
    // before it, so inserting into the array is enough to place it.
    let port_of = |t: &Table| t.get("port").and_then(Item::as_integer).unwrap_or(i64::MIN);
    let new_port = i64::from(svc.port);
    let after = services
        .iter()
        .enumerate()
        .filter(|(_, t)| port_of(t) < new_port)
        .max_by_key(|(i, t)| (port_of(t), *i))
        .map(|(i, _)| i);
    match after {
        Some(i) => services.insert(i + 1, t),
        None if services.is_empty() => {
            if only_comments && !trailing.trim().is_empty() {
                t.decor_mut()
                    .set_prefix(format!("{}\n", trailing.trim_end()));
            }
            services.push(t);
        }
        None => {
            // Before the first service: take its place in the document, and the comment
            // above it (a section heading belongs above the section, not inside it).
            let first = services.get_mut(0).expect("not empty");
            t.set_position(first.position());
            let heading = first
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .map(str::to_string);
            if let Some(h) = heading {
                t.decor_mut().set_prefix(h);
                first.decor_mut().set_prefix("\n");
            }
            services.insert(0, t);
        }
    }
    if only_comments {
        doc.set_trailing("");
    }
    Ok(same_line_ends(text, doc.to_string()))
}

/// The text with service `id`'s `status` set to `status`. The value's own comment
/// (`status = "active"  # since v2`) is kept; a missing `status` key is added.
pub fn set_status(text: &str, file: &str, id: &str, status: &str) -> Result<String, Error> {
    let mut doc = parse(text, file)?;
    let services = services_mut(&mut doc, file)?;
    let table = services
        .iter_mut()
        .find(|t| t.get("id").and_then(Item::as_str) == Some(id))
        .ok_or_else(|| Error::usage(format!("no service with id '{id}'")))?;
    match table.get_mut("status") {
        Some(Item::Value(v)) => {
            let decor = v.decor().clone();
            *v = Value::from(status);
            *v.decor_mut() = decor;
        }
        _ => {
            table.insert("status", status.into());
        }
    }
    Ok(same_line_ends(text, doc.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# header comment\n\n[policy]\nsacred = [] # none\n\n[[range]]\nname = \"apps\"\nports = \"110-119\"\n\n# ---- the services ----\n[[service]]\nid = \"a\"   # first one\nname = \"A\"\nport = 110\nenv = \"A_PORT\"\nstatus = \"active\"  # since v1\n\n# c lives up here\n[[service]]\nid = \"c\"\nname = \"C\"\nport = 113\nenv = \"C_PORT\"\n\n[lint]\nx = 1\n# trailing words\n";

    fn svc(id: &str, port: u16) -> NewService {
        NewService {
            id: id.into(),
            name: id.to_uppercase(),
            port,
            env: format!("{}_PORT", id.to_uppercase()),
            protocols: vec!["HTTP".into(), "WS".into()],
            purpose: "p \"quoted\"".into(),
            owners: vec!["services/x/".into()],
            status: "allocated".into(),
        }
    }

    #[test]
    fn new_service_goes_in_port_order_and_nothing_else_moves() {
        let out = add_service(TEXT, "f", &svc("b", 111)).unwrap();
        let block = "[[service]]\nid = \"b\"\nname = \"B\"\nport = 111\nenv = \"B_PORT\"\nprotocol = [\"HTTP\", \"WS\"]\npurpose = 'p \"quoted\"'\nowner = \"services/x/\"\nstatus = \"allocated\"\n";
        let (head, tail) = TEXT.split_at(TEXT.find("\n\n# c lives").unwrap() + 1);
        assert_eq!(out, format!("{head}\n{block}{tail}"));
        let reg = crate::Registry::parse(&out, crate::Origin::Builtin).unwrap();
        let ports: Vec<u16> = reg.services.iter().map(|s| s.port).collect();
        assert_eq!(ports, [110, 111, 113]);
    }

    #[test]
    fn lowest_and_highest_ports_go_first_and_last() {
        let out = add_service(TEXT, "f", &svc("z", 119)).unwrap();
        let reg = crate::Registry::parse(&out, crate::Origin::Builtin).unwrap();
        let ids: Vec<&str> = reg.services.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["a", "c", "z"]);
        assert!(
            out.contains("env = \"C_PORT\"\n\n[[service]]\nid = \"z\""),
            "{out}"
        );
        assert!(
            out.ends_with("\n[lint]\nx = 1\n# trailing words\n"),
            "{out}"
        );

        let out = add_service(TEXT, "f", &svc("first", 105)).unwrap();
        let reg = crate::Registry::parse(&out, crate::Origin::Builtin).unwrap();
        assert_eq!(reg.services[0].id, "first");
        let head = &TEXT[..TEXT.find("[[service]]").unwrap()];
        assert!(
            out.starts_with(&format!("{head}[[service]]\nid = \"first\"")),
            "{out}"
        );
        assert!(
            out.contains("status = \"allocated\"\n\n[[service]]\nid = \"a\""),
            "{out}"
        );
    }

    #[test]
    fn first_service_in_an_empty_registry() {
        let out = add_service("# empty\n", "f", &svc("a", 1)).unwrap();
        assert!(out.starts_with("# empty\n"));
        let reg = crate::Registry::parse(&out, crate::Origin::Builtin).unwrap();
        assert_eq!(reg.services.len(), 1);
    }

    #[test]
    fn status_changes_in_place() {
        let out = set_status(TEXT, "f", "a", "retired").unwrap();
        assert_eq!(
            out,
            TEXT.replace(
                "status = \"active\"  # since v1",
                "status = \"retired\"  # since v1"
            )
        );
        let out = set_status(TEXT, "f", "c", "active").unwrap();
        assert!(
            out.contains("env = \"C_PORT\"\nstatus = \"active\"\n"),
            "{out}"
        );
        let e = set_status(TEXT, "f", "nope", "active").unwrap_err();
        assert_eq!(e.to_string(), "no service with id 'nope'");
    }

    /// The splice and the full `toml_edit` edit give the same file wherever the service goes,
    /// and odd layouts that defeat the splice still come out right.
    #[test]
    fn fast_path_matches_toml_edit() {
        let reg = |t: &str| Registry::parse(t, crate::Origin::File("f".into())).unwrap();
        let before = reg(TEXT);
        for port in [105, 111, 112, 119] {
            let s = svc("n", port);
            let slow = add_service(TEXT, "f", &s).unwrap();
            let (spliced, _) = splice::add(&before, &table_text(&s)).unwrap();
            assert_eq!(spliced, slow, "port {port}");
            assert_eq!(with_service(&before, &s).unwrap().text, slow);
        }
        let slow = set_status(TEXT, "f", "a", "retired").unwrap();
        assert_eq!(splice::status(&before, "a", "retired").unwrap(), slow);
        assert_eq!(with_status(&before, "a", "retired").unwrap().text, slow);
        // `c` has no status line to edit: only toml_edit can add the key.
        assert_eq!(splice::status(&before, "c", "active"), None);
        let slow = set_status(TEXT, "f", "c", "active").unwrap();
        assert_eq!(with_status(&before, "c", "active").unwrap().text, slow);

        let odd = [
            // A multi-line string with a line that looks like a table header.
            TEXT.replace("name = \"A\"", "name = \"\"\"A\n[not a table]\n\"\"\""),
            // A sub-table of the service before the new one.
            TEXT.replace("\n# c lives", "[service.match]\nexe = [\"a\"]\n\n# c lives"),
            TEXT.replace('\n', "\r\n"),
        ];
        for text in odd {
            let before = reg(&text);
            let after = with_service(&before, &svc("b", 111)).unwrap();
            let ids: Vec<&str> = after.services.iter().map(|s| s.id.as_str()).collect();
            assert_eq!(ids, ["a", "b", "c"], "{text}");
            assert_eq!(after.services[0], before.services[0]);
            let after = with_status(&before, "a", "retired").unwrap();
            assert_eq!(after.services[0].status, crate::Status::Retired);
        }
    }

    #[test]
    fn a_crlf_registry_keeps_crlf_line_ends() {
        let text = TEXT.replace('\n', "\r\n");
        let out = add_service(&text, "f", &svc("b", 111)).unwrap();
        assert_eq!(out.matches("\r\n").count(), out.matches('\n').count());
        assert!(out.contains("id = \"b\"\r\n"), "{out:?}");
        let out = set_status(&text, "f", "a", "retired").unwrap();
        assert_eq!(
            out,
            text.replace(
                "status = \"active\"  # since v1",
                "status = \"retired\"  # since v1"
            )
        );
        let before = Registry::parse(&text, crate::Origin::File("f".into())).unwrap();
        let after = with_service(&before, &svc("b", 111)).unwrap();
        assert_eq!(
            after.text.matches("\r\n").count(),
            after.text.matches('\n').count()
        );
    }

    #[test]
    fn bad_toml_names_the_line() {
        let e = add_service("[[service]\n", "ports.toml", &svc("a", 1)).unwrap_err();
        assert!(e.to_string().starts_with("ports.toml:1:"), "{e}");
    }
}
