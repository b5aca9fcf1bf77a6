//! Port spans: `"9010-9019"` or a single port `"9222"` (a bare integer is accepted too).

use std::fmt;

use serde::Serialize;

/// An inclusive span of TCP/UDP ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortSpan {
    pub first: u16,
    pub last: u16,
}

impl PortSpan {
    pub fn single(port: u16) -> PortSpan {
        PortSpan {
            first: port,
            last: port,
        }
    }

    /// Parses `"A-B"` or `"A"`.
    pub fn parse(s: &str) -> Result<PortSpan, String> {
        let num = |t: &str| -> Result<u16, String> {
            let t = t.trim();
            match t.parse::<u32>() {
                Ok(n @ 1..=65535) if t.bytes().all(|b| b.is_ascii_digit()) => Ok(n as u16),
                _ => Err(format!(
                    "'{s}' is not a port or a port range like \"9010-9019\""
                )),
            }
        };
        let span = match s.split_once('-') {
            Some((a, b)) => PortSpan {
                first: num(a)?,
                last: num(b)?,
            },
            None => PortSpan::single(num(s)?),
        };
        if span.first > span.last {
            return Err(format!("range '{s}' ends before it starts"));
        }
        Ok(span)
    }

    /// Parses a TOML value: a string as above, or an integer port.
    pub fn parse_value(v: &toml::Value) -> Result<PortSpan, String> {
        match v {
            toml::Value::String(s) => PortSpan::parse(s),
            toml::Value::Integer(n) => PortSpan::parse(&n.to_string()),
            other => Err(format!(
                "expected a string like \"9010-9019\", found {other}"
            )),
        }
    }

    pub fn contains(&self, port: u16) -> bool {
        (self.first..=self.last).contains(&port)
    }

    pub fn overlaps(&self, other: &PortSpan) -> bool {
        self.first <= other.last && other.first <= self.last
    }

    pub fn len(&self) -> usize {
        usize::from(self.last - self.first) + 1
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    pub fn iter(&self) -> impl Iterator<Item = u16> {
        self.first..=self.last
    }
}

impl fmt::Display for PortSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}-{}", self.first, self.last)
        }
    }
}

impl Serialize for PortSpan {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ranges_and_single_ports() {
        assert_eq!(
            PortSpan::parse("9010-9019").unwrap(),
            PortSpan {
                first: 9010,
                last: 9019
            }
        );
        assert_eq!(PortSpan::parse("9222").unwrap(), PortSpan::single(9222));
        assert_eq!(PortSpan::parse("9010-9019").unwrap().len(), 10);
        for bad in ["", "x", "9019-9010", "0", "70000", "-5", "9000-", "+9000"] {
            assert!(PortSpan::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            PortSpan::parse("9000-9009").unwrap().to_string(),
            "9000-9009"
        );
    }

    #[test]
    fn overlap() {
        let a = PortSpan::parse("9000-9009").unwrap();
        assert!(a.overlaps(&PortSpan::parse("9009-9010").unwrap()));
        assert!(!a.overlaps(&PortSpan::parse("9010-9019").unwrap()));
    }
}
