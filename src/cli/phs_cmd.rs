//! `tracematch phs FILE [--json]`: the protocol hierarchy (`tshark -q -z io,phs`), in tshark's
//! text layout or as JSON rows (`depth`, `proto`, `path`, `frames`, `bytes`, depth first).

use std::io::Write;

use super::args::positionals_and_json;
use super::{finish_status, input, CliError};
use crate::pipeline::Pipeline;
use crate::stats::ProtocolHierarchy;

/// Runs `phs`.
pub fn run(args: Vec<std::ffi::OsString>, out: &mut dyn Write) -> Result<i32, CliError> {
    let ([path], json) = positionals_and_json::<1>(args, "phs takes one FILE")?;
    let mut phs = ProtocolHierarchy::new();
    let mut pipeline = Pipeline::new();
    input::feed(&path, &mut pipeline, &mut |c| phs.observe(c))?;
    if phs.frames_not_placed() > 0 {
        eprintln!(
            "tracematch: {path}: {} frames beyond the hierarchy's node limit counted only in part",
            phs.frames_not_placed()
        );
    }
    if json {
        serde_json::to_writer(&mut *out, &phs.rows()).map_err(std::io::Error::other)?;
        writeln!(out)?;
    } else {
        phs.write_text(out)?;
    }
    Ok(finish_status(&path, pipeline.error()))
}
