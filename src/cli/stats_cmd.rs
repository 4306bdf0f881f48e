//! `tracematch stats FILE [--interval 1s] [--filter EXPR] [--csv] [--busy]`: counters per time
//! interval relative to the first frame (frames, bytes, SYN, SYN/ACK, RST, FIN, retransmissions,
//! ARP, ICMP, DNS), as tshark's `-z io,stat`.
//!
//! Every interval from the first to the last busy one is printed (as tshark does) unless there
//! are more than [`MAX_DENSE_ROWS`] of them or `--busy` is given: then only busy intervals.

use std::io::Write;

use super::analyzed::feed_analyzed;
use super::args::{utf8, UsageError};
use super::{finish_status, CliError};
use crate::stats::{parse_interval, IoFilter, IoStats};

/// Most rows printed with empty intervals included (a years-long capture at 1 ms would have
/// trillions).
pub const MAX_DENSE_ROWS: u64 = 1_000_000;

/// Runs `stats`.
pub fn run(args: Vec<std::ffi::OsString>, mut out: &mut dyn Write) -> Result<i32, CliError> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut positional = Vec::new();
    let mut csv = false;
    let mut busy_only = false;
    let mut interval = "1s".to_string();
    let mut filter_text = String::new();
    while let Some(arg) = p.next()? {
        match arg {
            Long("csv") => csv = true,
            Long("busy") => busy_only = true,
            Long("interval") | Short('i') => interval = utf8(p.value()?, "--interval")?,
            Long("filter") | Short('f') => filter_text = utf8(p.value()?, "--filter")?,
            Value(v) => positional.push(utf8(v, "argument")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let [path] = <[String; 1]>::try_from(positional)
        .map_err(|_| UsageError("stats takes one FILE".into()))?;
    let ns = parse_interval(&interval)
        .map_err(|e| UsageError(format!("bad --interval '{interval}': {e}")))?;
    let filter = IoFilter::parse(&filter_text)
        .ok_or_else(|| UsageError(format!("unsupported --filter '{filter_text}'")))?;
    let mut io = IoStats::with_filter(ns, filter)
        .map_err(|e| UsageError(format!("bad --interval '{interval}': {e}")))?;
    let (pipeline, _) = feed_analyzed(&path, &mut |c, tcp| io.observe(c, tcp))?;
    let dense = !busy_only && io.interval_count() <= MAX_DENSE_ROWS;
    if !busy_only && !dense {
        eprintln!(
            "tracematch: {} intervals: printing only the busy ones",
            io.interval_count()
        );
    }
    if csv {
        io.write_csv(&mut out, dense)?;
    } else {
        let mut text = Vec::new();
        io.write_csv(&mut text, dense)?;
        // The CSV cells are numbers only: the table form is the same with tabs.
        for b in text.iter_mut() {
            if *b == b',' {
                *b = b'\t';
            }
        }
        out.write_all(&text)?;
    }
    Ok(finish_status(&path, pipeline.error()))
}
