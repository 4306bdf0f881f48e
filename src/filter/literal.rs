//! Literal values of display filters, converted for the type of the field they are compared
//! with: integers (decimal, `0x` hex, `0b` binary, leading-`0` octal, character constants),
//! booleans, IPv4 / IPv6 addresses with optional `/prefix`, MAC addresses (`aa:bb:cc:dd:ee:ff`,
//! `aa-bb-…`, `aabb.ccdd.eeff`), byte strings (`aa:bb:cc`), times and strings.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::fields::FieldKind;

/// A literal converted for a field type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Literal {
    /// An integer (kept signed: tshark accepts `-1` for unsigned fields, which then never match).
    Integer(i128),
    /// An IPv4 network: address and prefix length (32 for one address).
    Ipv4 {
        /// The address, masked to the prefix.
        addr: u32,
        /// Prefix length.
        prefix: u8,
    },
    /// An IPv6 network.
    Ipv6 {
        /// The address, masked to the prefix.
        addr: u128,
        /// Prefix length.
        prefix: u8,
    },
    /// A MAC address.
    Ether([u8; 6]),
    /// A time in nanoseconds.
    Time(i64),
    /// A string or byte string.
    Bytes(Vec<u8>),
}

/// How a literal was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiteralForm<'a> {
    /// Unquoted.
    Word(&'a str),
    /// Quoted (escapes resolved).
    Quoted(&'a [u8]),
    /// A character constant.
    Char(u64),
}

/// Converts a literal for a field of type `kind`; the error is tshark's message.
pub fn convert(form: LiteralForm<'_>, kind: FieldKind) -> Result<Literal, String> {
    match (kind, form) {
        (FieldKind::Unsigned { bits }, LiteralForm::Word(w)) => {
            let v = integer(w).ok_or_else(|| format!("\"{w}\" is not a valid number."))?;
            let max = if bits >= 64 {
                i128::from(u64::MAX)
            } else {
                (1i128 << bits) - 1
            };
            if v > max {
                return Err(format!("\"{w}\" too big for this field, maximum {max}."));
            }
            Ok(Literal::Integer(v))
        }
        (FieldKind::Unsigned { .. } | FieldKind::Boolean, LiteralForm::Char(c)) => {
            Ok(Literal::Integer(i128::from(c)))
        }
        (FieldKind::Boolean, LiteralForm::Word(w)) => integer(w).map(Literal::Integer).ok_or_else(
            || format!("\"{w}\" cannot be found among the possible values for this field."),
        ),
        (FieldKind::Ipv4, LiteralForm::Word(w)) => ipv4(w),
        (FieldKind::Ipv6, LiteralForm::Word(w)) => ipv6(w),
        (FieldKind::Ether, LiteralForm::Word(w)) => {
            let bytes = byte_string(w).ok_or_else(|| {
                format!("\"{w}\" is not a valid hostname or Ethernet address.")
            })?;
            <[u8; 6]>::try_from(bytes.as_slice())
                .map(Literal::Ether)
                .map_err(|_| {
                    if bytes.len() < 6 {
                        format!("\"{w}\" contains too few bytes to be a valid Ethernet address.")
                    } else {
                        format!("\"{w}\" contains too many bytes to be a valid Ethernet address.")
                    }
                })
        }
        (FieldKind::RelativeTime, LiteralForm::Word(w)) => seconds(w)
            .map(Literal::Time)
            .ok_or_else(|| format!("\"{w}\" is not a valid time.")),
        (FieldKind::AbsoluteTime, LiteralForm::Quoted(q)) => std::str::from_utf8(q)
            .ok()
            .and_then(absolute_time)
            .map(Literal::Time)
            .ok_or_else(|| {
                format!(
                    "\"{}\" is not a valid absolute time. Example: \"Nov 12, 1999 08:55:44.123\" or \"2011-07-04 12:34:56\"",
                    String::from_utf8_lossy(q)
                )
            }),
        (FieldKind::String, LiteralForm::Word(w)) => Ok(Literal::Bytes(w.as_bytes().to_vec())),
        (FieldKind::String, LiteralForm::Quoted(q)) => Ok(Literal::Bytes(q.to_vec())),
        (FieldKind::String, LiteralForm::Char(c)) => Ok(Literal::Bytes(
            u8::try_from(c).map(|b| vec![b]).unwrap_or_default(),
        )),
        (kind, LiteralForm::Quoted(q)) => Err(format!(
            "{} cannot be converted from a string (\"{}\").",
            kind_name(kind),
            String::from_utf8_lossy(q)
        )),
        (kind, LiteralForm::Char(_)) => Err(format!(
            "{} cannot be converted from a character constant.",
            kind_name(kind)
        )),
        (FieldKind::AbsoluteTime, LiteralForm::Word(w)) => Err(format!(
            "\"{w}\" is not a valid absolute time. Example: \"Nov 12, 1999 08:55:44.123\" or \"2011-07-04 12:34:56\""
        )),
    }
}

/// Wireshark's description of a field type, for messages.
pub fn kind_name(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Unsigned { .. } => "Unsigned integer",
        FieldKind::Boolean => "Boolean",
        FieldKind::Ipv4 => "IPv4 address",
        FieldKind::Ipv6 => "IPv6 address",
        FieldKind::Ether => "Ethernet or other MAC address",
        FieldKind::AbsoluteTime => "Date and time",
        FieldKind::RelativeTime => "Time offset",
        FieldKind::String => "Character string",
    }
}

/// An integer as `strtoll` with base 0 reads it, plus `0b` binary; the whole word must be used.
pub fn integer(w: &str) -> Option<i128> {
    let (negative, digits) = match w.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, w.strip_prefix('+').unwrap_or(w)),
    };
    let (radix, body) = if let Some(h) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        (16, h)
    } else if let Some(b) = digits
        .strip_prefix("0b")
        .or_else(|| digits.strip_prefix("0B"))
    {
        (2, b)
    } else if let Some(o) = digits.strip_prefix('0').filter(|o| !o.is_empty()) {
        (8, o)
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = u64::from_str_radix(body, radix).ok()?;
    Some(if negative {
        -i128::from(v)
    } else {
        i128::from(v)
    })
}

/// `a.b.c.d[/n]`.
fn ipv4(w: &str) -> Result<Literal, String> {
    let (addr, prefix) = match w.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (w, None),
    };
    let a: Ipv4Addr = addr
        .parse()
        .map_err(|_| format!("\"{addr}\" is not a valid hostname or IPv4 address."))?;
    let prefix = match prefix {
        None => 32,
        Some(p) => {
            let n: u32 = p
                .parse()
                .map_err(|_| format!("\"{p}\" is not a valid number."))?;
            if n > 32 {
                return Err(format!(
                    "Netmask bits in a CIDR IPv4 address should be <= 32, not {n}"
                ));
            }
            n as u8
        }
    };
    Ok(Literal::Ipv4 {
        addr: u32::from(a) & mask32(prefix),
        prefix,
    })
}

/// `x:y::z[/n]`.
fn ipv6(w: &str) -> Result<Literal, String> {
    let (addr, prefix) = match w.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (w, None),
    };
    let a: Ipv6Addr = addr
        .parse()
        .map_err(|_| format!("\"{addr}\" is not a valid hostname or IPv6 address."))?;
    let prefix = match prefix {
        None => 128,
        Some(p) => {
            let n: u32 = p
                .parse()
                .map_err(|_| format!("\"{p}\" is not a valid number."))?;
            if n > 128 {
                return Err(format!(
                    "Prefix in a IPv6 address should be <= 128, not {n}"
                ));
            }
            n as u8
        }
    };
    Ok(Literal::Ipv6 {
        addr: u128::from(a) & mask128(prefix),
        prefix,
    })
}

/// The IPv4 netmask of a prefix length.
pub fn mask32(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix.min(32)))
    }
}

/// The IPv6 netmask of a prefix length.
pub fn mask128(prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(prefix.min(128)))
    }
}

/// A byte string: hex pairs separated by `:`, `-` or `.` (`aa:bb`, `aa-bb`, `aabb.ccdd.eeff`),
/// or a single byte (`aa`).
pub fn byte_string(w: &str) -> Option<Vec<u8>> {
    let sep = w.chars().find(|c| matches!(c, ':' | '-' | '.'));
    let groups: Vec<&str> = match sep {
        Some(s) => w.split(s).collect(),
        None => vec![w],
    };
    let mut out = Vec::new();
    for g in groups {
        let dotted_quad = sep == Some('.') && g.len() == 4;
        if g.is_empty() || !g.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        if dotted_quad {
            out.push(u8::from_str_radix(g.get(0..2)?, 16).ok()?);
            out.push(u8::from_str_radix(g.get(2..4)?, 16).ok()?);
        } else if g.len() <= 2 {
            out.push(u8::from_str_radix(g, 16).ok()?);
        } else {
            return None;
        }
    }
    Some(out)
}

/// Seconds with an optional fraction (`1`, `1.5`, `-0.000001`) as nanoseconds; digits beyond
/// nanoseconds are dropped.
pub fn seconds(w: &str) -> Option<i64> {
    let (negative, body) = match w.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, w),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut ns: i64 = 0;
    for (i, c) in frac.chars().take(9).enumerate() {
        let d = i64::from(c.to_digit(10)?);
        ns += d * 10i64.pow(8 - i as u32);
    }
    let total = whole.checked_mul(1_000_000_000)?.checked_add(ns)?;
    Some(if negative { -total } else { total })
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An absolute time as tshark 4.0 reads it: `"2011-07-04 12:34:56[.frac]"` (also with `T`),
/// `"Jul  4, 2011 12:34:56[.frac]"`, optionally with a trailing `Z` or ` UTC`. Read as UTC
/// (tshark reads times without a zone in the local time zone; this machine-independent engine
/// uses UTC, which equals tshark on a UTC host).
pub fn absolute_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s
        .strip_suffix('Z')
        .or_else(|| s.strip_suffix(" UTC"))
        .unwrap_or(s)
        .trim_end();
    let (date, time) = if let Some((d, t)) = s.split_once('T') {
        (d, t)
    } else if s.contains(',') {
        // "Jul  4, 2011 12:34:56"
        let (md, rest) = s.split_once(',')?;
        let rest = rest.trim_start();
        let (year, time) = rest.split_once(' ').unwrap_or((rest, "00:00:00"));
        let mut it = md.split_whitespace();
        let month = month_number(it.next()?)?;
        let day: u32 = it.next()?.parse().ok()?;
        let year: i64 = year.parse().ok()?;
        return combine(year, month, day, time.trim());
    } else {
        s.split_once(' ').unwrap_or((s, "00:00:00"))
    };
    let mut it = date.split('-');
    let year: i64 = it.next()?.parse().ok()?;
    let month: u32 = it.next()?.parse().ok()?;
    let day: u32 = it.next()?.parse().ok()?;
    if it.next().is_some() {
        return None;
    }
    combine(year, month, day, time.trim())
}

/// Date and `HH:MM[:SS[.frac]]` to nanoseconds since the epoch.
fn combine(year: i64, month: u32, day: u32, time: &str) -> Option<i64> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut it = time.split(':');
    let h: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let sec_ns = match it.next() {
        Some(s) => seconds(s)?,
        None => 0,
    };
    if it.next().is_some() || !(0..24).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    days.checked_mul(86_400)?
        .checked_add(h * 3600 + m * 60)?
        .checked_mul(1_000_000_000)?
        .checked_add(sec_ns)
}

/// `Jan` … `Dec` (case-insensitive) as 1 … 12.
fn month_number(m: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let m = m.get(..3)?.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|x| *x == m)
        .and_then(|i| u32::try_from(i + 1).ok())
}
