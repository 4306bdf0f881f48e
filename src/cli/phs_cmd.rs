//! `tracematch phs FILE [--json]`: the protocol hierarchy (`tshark -q -z io,phs`), in tshark's
//! text layout or as JSON rows (`depth`, `proto`, `path`, `frames`, `bytes`, depth first).
//! Two passes: an index pass finds the frames ending HTTP messages / TLS records
//! ([`AppFrames`]), then the hierarchy pass places them under `http` / `tls` (and
//! `tcp.segments`).

use std::io::Write;

use super::args::positionals_and_json;
use super::{finish_status, input, CliError};
use crate::pipeline::{FrameContext, Pipeline};
use crate::stats::{AppFrames, ProtocolHierarchy};

/// Runs `phs`.
pub fn run(args: Vec<std::ffi::OsString>, out: &mut dyn Write) -> Result<i32, CliError> {
    let ([path], json) = positionals_and_json::<1>(args, "phs takes one FILE")?;
    let (ix, mut source) = input::index(&path)?;
    let app = AppFrames::of_capture(&ix, source.as_mut());
    let mut phs = ProtocolHierarchy::new();
    let mut pipeline = Pipeline::new();
    let mut visit = |c: &FrameContext| phs.observe_with_app_path(c, app.path_of(c.meta.number));
    // The second pass reads the indexed source again (stdin was kept in memory by the index).
    pipeline.run_source(source.as_mut(), &mut visit)?;
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
