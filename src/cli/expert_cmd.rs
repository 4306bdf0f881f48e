//! `tracematch expert FILE [--json]`: the Expert Info summary of the TCP analysis: frames per
//! finding with tshark's severity (warnings, then notes, then chats), and the first frames.

use std::io::Write;

use super::analyzed::feed_analyzed;
use super::args::positionals_and_json;
use super::{finish_status, CliError};
use crate::session::ExpertSummary;

/// Frames listed per finding in the text form (the JSON form lists all the summary keeps).
const TEXT_FRAMES: usize = 20;

/// Runs `expert`.
pub fn run(args: Vec<std::ffi::OsString>, out: &mut dyn Write) -> Result<i32, CliError> {
    let ([path], json) = positionals_and_json::<1>(args, "expert takes one FILE")?;
    let mut summary = ExpertSummary::new();
    let (pipeline, _) = feed_analyzed(&path, &mut |c, tcp| summary.observe(c.meta.number, tcp))?;
    let rows = summary.rows();
    if json {
        serde_json::to_writer(&mut *out, &rows).map_err(std::io::Error::other)?;
        writeln!(out)?;
    } else {
        writeln!(out, "severity\tkind\tcount\tframes")?;
        for r in &rows {
            let frames: Vec<String> = r
                .frames
                .iter()
                .take(TEXT_FRAMES)
                .map(u32::to_string)
                .collect();
            let more = if r.count > TEXT_FRAMES as u64 {
                ",..."
            } else {
                ""
            };
            writeln!(
                out,
                "{}\t{}\t{}\t{}{more}",
                r.severity,
                r.kind,
                r.count,
                frames.join(",")
            )?;
        }
    }
    Ok(finish_status(&path, pipeline.error()))
}
