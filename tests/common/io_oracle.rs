//! The oracles' IO statistics tables (`oracle/<capture>/io_<N>s.txt`, `tshark -q -z io,stat,N,…`):
//! finding them for every corpus capture and reading their rows.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Counters of one tshark io,stat row: frames, bytes, RST, SYN (the oracle's four columns).
pub type IoCounters = [u64; 4];

/// One parsed io,stat table of one capture.
#[derive(Debug)]
pub struct IoTable {
    /// The capture's file name in public/.
    pub capture: String,
    /// The capture's path.
    pub capture_path: PathBuf,
    /// The table's file name (e.g. `io_1s.txt`).
    pub name: String,
    /// The table's text, as tshark printed it.
    pub text: String,
    /// Interval in whole seconds.
    pub interval: u64,
    /// Rows by start second.
    pub rows: BTreeMap<u64, IoCounters>,
}

/// Every io,stat table of the corpus under `captures` (tables tshark skipped are left out), in
/// manifest then name order; tables that cannot be parsed are returned as `Err` messages.
pub fn io_tables(captures: &Path) -> Vec<Result<IoTable, String>> {
    let public = captures.join("public");
    let mut out = Vec::new();
    for row in super::manifest(captures) {
        let dir = public.join("oracle").join(&row.file);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.starts_with("io_") && n.ends_with("s.txt"))
            .collect();
        names.sort();
        for name in names {
            let text = std::fs::read_to_string(dir.join(&name)).unwrap_or_default();
            if text.starts_with("SKIPPED") {
                continue;
            }
            out.push(match parse_io(&text) {
                Some((interval, rows)) => Ok(IoTable {
                    capture: row.file.clone(),
                    capture_path: public.join(&row.file),
                    name,
                    text,
                    interval,
                    rows,
                }),
                None => Err(format!("{}: cannot parse {name}", row.file)),
            });
        }
    }
    out
}

/// Parses tshark's io,stat text: the interval (whole seconds) and the rows by start second.
pub fn parse_io(text: &str) -> Option<(u64, BTreeMap<u64, IoCounters>)> {
    // tshark shrinks the interval to the capture's duration when that is shorter (e.g. "0.005
    // secs"); the single row then covers the whole capture, as our first 1 s interval does.
    let interval: f64 = text
        .lines()
        .find_map(|l| {
            l.trim_matches(|c| c == '|' || c == ' ')
                .strip_prefix("Interval:")
        })?
        .trim()
        .trim_end_matches("secs")
        .trim()
        .parse()
        .ok()?;
    let interval = (interval.ceil() as u64).max(1);
    let mut rows = BTreeMap::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let Some((start, _)) = cells.get(1).and_then(|r| r.split_once("<>")) else {
            continue;
        };
        let Ok(start) = start.trim().parse::<f64>() else {
            continue;
        };
        let nums: Vec<u64> = cells[2..]
            .iter()
            .filter(|c| !c.is_empty())
            .filter_map(|c| c.parse().ok())
            .collect();
        if let [frames, bytes, rst, syn, ..] = nums[..] {
            rows.insert(start as u64, [frames, bytes, rst, syn]);
        }
    }
    Some((interval, rows))
}
