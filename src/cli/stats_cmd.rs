//! `tracematch stats FILE [--interval 1s] [--filter EXPR] [-Y FILTER] [--csv] [--busy] [--top N]`:
//! counters per time interval relative to the first frame (frames, bytes, SYN, SYN/ACK, RST, FIN,
//! retransmissions, ARP, ICMP, DNS), as tshark's `-z io,stat`.
//!
//! `--filter` takes the short restrictions of [`IoFilter`] (`tcp.stream==N`, `ip.addr==A`,
//! `port==N`, a protocol name, `esp.spi==X`) or, when it is none of those, any display filter;
//! `-Y` takes a display filter (as `tshark -Y`). Both may be given: a frame must pass both.
//! Intervals stay relative to the capture's first frame, as with tshark's `io,stat` filters.
//!
//! Every interval from the first to the last busy one is printed (as tshark does) unless there
//! are more than [`MAX_DENSE_ROWS`] of them or `--busy` is given: then only busy intervals.
//! `--top N` prints instead the N sources that sent the most bytes in every busy interval
//! (`start,rank,address,frames,bytes`, then `other_bytes` beyond the tracked sources).

use std::io::Write;

use super::analyzed::feed_analyzed;
use super::args::{utf8, UsageError};
use super::{finish_status, CliError};
use crate::filter::FrameFilter;
use crate::stats::{parse_interval, IoFilter, IoStats, TopTalkers};

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
    let mut display_filters: Vec<String> = Vec::new();
    let mut top: Option<usize> = None;
    while let Some(arg) = p.next()? {
        match arg {
            Long("csv") => csv = true,
            Short('Y') | Long("display-filter") => {
                display_filters.push(utf8(p.value()?, "-Y")?);
            }
            Long("top") => {
                let v = utf8(p.value()?, "--top")?;
                top = Some(
                    v.parse()
                        .ok()
                        .filter(|n: &usize| *n > 0)
                        .ok_or_else(|| UsageError(format!("bad --top '{v}'")))?,
                );
            }
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
    let filter = match IoFilter::parse(&filter_text) {
        Some(f) => f,
        None => {
            // Not one of the short forms: a display filter.
            display_filters.push(filter_text.clone());
            IoFilter::All
        }
    };
    let mut frame_filters = Vec::with_capacity(display_filters.len());
    for text in &display_filters {
        match super::filter_cmd::compile_or_report(text) {
            Ok(f) => frame_filters.push(FrameFilter::new(f)),
            Err(status) => return Ok(status),
        }
    }
    let talker_filter = filter;
    let mut io = IoStats::with_filter(ns, filter)
        .map_err(|e| UsageError(format!("bad --interval '{interval}': {e}")))?;
    let mut talkers =
        TopTalkers::new(ns).map_err(|e| UsageError(format!("bad --interval '{interval}': {e}")))?;
    let (pipeline, _) = feed_analyzed(&path, &mut |c, tcp| {
        // Every filter sees every frame (tcp.analysis filters keep their own analyzer).
        let mut shown = true;
        for f in frame_filters.iter_mut() {
            shown &= f.matches(c);
        }
        if shown {
            io.observe(c, tcp);
            if top.is_some() && talker_filter.matches(c) {
                talkers.observe(c);
            }
        }
    })?;
    if let Some(n) = top {
        writeln!(out, "start,rank,address,frames,bytes")?;
        for interval in talkers.top(n) {
            for (rank, t) in interval.top.iter().enumerate() {
                writeln!(
                    out,
                    "{:.6},{},{},{},{}",
                    interval.start,
                    rank + 1,
                    t.address,
                    t.frames,
                    t.bytes
                )?;
            }
            if interval.other_bytes > 0 {
                writeln!(
                    out,
                    "{:.6},,other,,{}",
                    interval.start, interval.other_bytes
                )?;
            }
        }
        return Ok(finish_status(&path, pipeline.error()));
    }
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
