//! `tracematch info FILE [--json]`: format, sections and interfaces, link types, packets, bytes,
//! time span, warnings.

use std::io::Write;

use super::args::positionals_and_json;
use super::{finish_status, input, CliError};
use crate::pipeline::Pipeline;

/// Runs `info`.
pub fn run(args: Vec<std::ffi::OsString>, out: &mut dyn Write) -> Result<i32, CliError> {
    let ([path], json) = positionals_and_json::<1>(args, "info takes one FILE")?;
    let mut pipeline = Pipeline::new();
    input::feed(&path, &mut pipeline, &mut |_| {})?;
    let s = pipeline.summary();
    if json {
        serde_json::to_writer_pretty(&mut *out, &s).map_err(std::io::Error::other)?;
        writeln!(out)?;
        return Ok(finish_status(&path, pipeline.error()));
    }
    let i = &s.info;
    let format = match (i.format, i.gzip) {
        (f, true) => format!("{f:?} (gzip-compressed)"),
        (f, false) => format!("{f:?}"),
    };
    writeln!(out, "File:            {path}")?;
    writeln!(out, "Format:          {format}")?;
    if i.format != crate::capture::CaptureFormat::Pcapng {
        writeln!(
            out,
            "Version:         {}.{} {} {}",
            i.version.0,
            i.version.1,
            if i.big_endian {
                "big-endian"
            } else {
                "little-endian"
            },
            if i.nanosecond {
                "nanoseconds"
            } else {
                "microseconds"
            }
        )?;
    }
    writeln!(out, "Sections:        {}", i.sections.len())?;
    for itf in &i.interfaces {
        writeln!(
            out,
            "Interface {}:     section {} linktype {} snaplen {} ts units/s {} packets {}{}",
            itf.id,
            itf.section,
            itf.linktype,
            itf.snaplen,
            itf.ts_units_per_sec,
            itf.packets,
            itf.name
                .as_deref()
                .map(|n| format!(" name {n:?}"))
                .unwrap_or_default()
        )?;
    }
    let lts: Vec<String> = s.linktypes.iter().map(|l| l.to_string()).collect();
    writeln!(out, "Link types:      {}", lts.join(","))?;
    writeln!(out, "Packets:         {}", s.frames)?;
    writeln!(out, "Wire bytes:      {}", s.wire_bytes)?;
    writeln!(out, "Captured bytes:  {}", i.captured_bytes)?;
    if let (Some(a), Some(b)) = (s.first_ts_ns, s.last_ts_ns) {
        writeln!(out, "First packet:    {}", fmt_epoch(a))?;
        writeln!(out, "Last packet:     {}", fmt_epoch(b))?;
        writeln!(out, "Duration:        {:.9} s", (b - a) as f64 / 1e9)?;
    }
    writeln!(out, "TCP streams:     {}", s.tcp_streams)?;
    writeln!(out, "UDP streams:     {}", s.udp_streams)?;
    for w in &i.warnings {
        writeln!(out, "Warning:         {w}")?;
    }
    if let Some(e) = &s.error {
        writeln!(out, "Error:           {e}")?;
    }
    Ok(finish_status(&path, pipeline.error()))
}

/// Epoch ns as `seconds.nanoseconds` (tshark's `frame.time_epoch`).
pub fn fmt_epoch(ns: i64) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    let frac = ns.rem_euclid(1_000_000_000);
    format!("{secs}.{frac:09}")
}
