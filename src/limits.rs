//! Memory budgets per capture: how much the index (per-packet columns and flow tables), TCP
//! reassembly (bytes held back behind a hole) and decoded HTTP bodies may use, the defaults for
//! the CLI and for the page (wasm32's 4 GiB address space), parsing of sizes such as `2G`, and
//! the message shown when the index budget stops indexing.

use crate::app::http::HttpOptions;
use crate::reassembly::TcpFollowOptions;

const KIB: u64 = 1 << 10;
const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// Memory budgets of one capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Index columns, side tables and flow tables, bytes. Reached: the index's cold columns move
    /// to a cold store when the indexer has one (`Indexer::set_cold_store`); otherwise, or when
    /// that is not enough, indexing stops at that packet, keeping what was indexed (the summary's
    /// `stopped` says where and why).
    pub index_bytes: u64,
    /// Out-of-order bytes one followed TCP stream may hold back; past it the lowest held segment
    /// is released and the hole before it shows as missing bytes.
    pub reassembly_bytes: u64,
    /// Size of one HTTP body, encoded and decoded; past it the body is cut and marked truncated.
    pub body_bytes: u64,
}

impl Default for Budget {
    /// The CLI's default: [`Budget::from_total`] of 8 GiB on 64-bit hosts.
    fn default() -> Self {
        if cfg!(target_pointer_width = "32") {
            Self::wasm()
        } else {
            Self::from_total(8 * GIB)
        }
    }
}

impl Budget {
    /// The page's default (wasm32: one 4 GiB address space shared with the decoder and views):
    /// index 1.5 GiB, reassembly 256 MiB, bodies 64 MiB.
    pub fn wasm() -> Self {
        Self {
            index_bytes: 3 * GIB / 2,
            reassembly_bytes: 256 * MIB,
            body_bytes: 64 * MIB,
        }
    }

    /// Splits a total: 3/4 to the index, 1/16 (at most 1 GiB) to reassembly, 1/64 (at least 64 KiB,
    /// at most 256 MiB) to one body.
    pub fn from_total(total: u64) -> Self {
        Self {
            index_bytes: total / 4 * 3,
            reassembly_bytes: (total / 16).min(GIB),
            body_bytes: (total / 64).clamp(64 * KIB, 256 * MIB),
        }
    }

    /// TCP follow options with this reassembly budget.
    pub fn tcp_follow_options(&self) -> TcpFollowOptions {
        TcpFollowOptions {
            max_buffered_bytes: usize::try_from(self.reassembly_bytes).unwrap_or(usize::MAX),
            ..TcpFollowOptions::default()
        }
    }

    /// HTTP options with this body budget.
    pub fn http_options(&self) -> HttpOptions {
        HttpOptions {
            max_body_bytes: usize::try_from(self.body_bytes).unwrap_or(usize::MAX),
            ..HttpOptions::default()
        }
    }
}

/// Parses a size: a number (decimals allowed) with an optional binary unit `K`, `M`, `G`, `T`
/// (`KiB`, `KB`, … also accepted, all powers of 1024) or `B`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let unit = unit.trim().to_ascii_uppercase();
    let scale = match unit.trim_end_matches("IB").trim_end_matches('B') {
        "" => 1,
        "K" => KIB,
        "M" => MIB,
        "G" => GIB,
        "T" => 1 << 40,
        _ => return Err(format!("unknown size unit in {text:?} (use K, M, G or T)")),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("not a size: {text:?} (e.g. 512M, 2G)"))?;
    let bytes = value * scale as f64;
    if !bytes.is_finite() || bytes < 1.0 || bytes >= u64::MAX as f64 {
        return Err(format!("size out of range: {text:?}"));
    }
    Ok(bytes as u64)
}

/// A size for messages: `1.5 GiB`, `512 MiB`, `300 B`.
pub fn format_size(bytes: u64) -> String {
    let units = [
        ("TiB", 1u64 << 40),
        ("GiB", GIB),
        ("MiB", MIB),
        ("KiB", KIB),
    ];
    for (name, scale) in units {
        if bytes >= scale {
            let v = bytes as f64 / scale as f64;
            let text = format!("{v:.1}");
            return format!("{} {name}", text.trim_end_matches(".0"));
        }
    }
    format!("{bytes} B")
}

/// Why indexing stopped at its budget: `stopped at packet N (offset X): the index reached its
/// 1.5 GiB budget`.
pub fn index_budget_message(frame: u64, offset: u64, budget: u64) -> String {
    format!(
        "stopped at packet {frame} (offset {offset}): the index reached its {} budget",
        format_size(budget)
    )
}

/// [`index_budget_message`] followed by why moving cold columns out did not help:
/// `stopped at packet N (offset X): the index reached its 20 KiB budget and its cold columns
/// could not move to local storage: OPFS unavailable (file:// page)`.
pub fn index_budget_message_because(frame: u64, offset: u64, budget: u64, why: &str) -> String {
    format!("{} {why}", index_budget_message(frame, offset, budget))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("2G"), Ok(2 * GIB));
        assert_eq!(parse_size("1.5GiB"), Ok(3 * GIB / 2));
        assert_eq!(parse_size("512m"), Ok(512 * MIB));
        assert_eq!(parse_size("100k"), Ok(100 * KIB));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("2X").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("").is_err());
        assert!(parse_size("1e400").is_err());
    }

    #[test]
    fn sizes_format_for_messages() {
        assert_eq!(format_size(3 * GIB / 2), "1.5 GiB");
        assert_eq!(format_size(512 * MIB), "512 MiB");
        assert_eq!(format_size(300), "300 B");
        assert_eq!(
            index_budget_message(7, 1024, 3 * GIB / 2),
            "stopped at packet 7 (offset 1024): the index reached its 1.5 GiB budget"
        );
        assert_eq!(
            index_budget_message_because(7, 1024, 20 * KIB, "and so on"),
            "stopped at packet 7 (offset 1024): the index reached its 20 KiB budget and so on"
        );
    }

    #[test]
    fn a_total_splits_into_bounded_parts() {
        let b = Budget::from_total(2 * GIB);
        assert_eq!(b.index_bytes, 3 * GIB / 2);
        assert_eq!(b.reassembly_bytes, 128 * MIB);
        assert_eq!(b.body_bytes, 32 * MIB);
        assert_eq!(b.http_options().max_body_bytes, 32 << 20);
        assert_eq!(b.tcp_follow_options().max_buffered_bytes, 128 << 20);
        assert_eq!(Budget::from_total(1000).body_bytes, 64 * KIB);
    }
}
