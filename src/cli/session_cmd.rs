//! `tracematch session FILE STREAM [--json]`: one TCP stream's session details (endpoints,
//! state, handshake timing, per-direction counters) and its request/response packet lots.

use std::io::Write;

use super::analyzed::feed_analyzed;
use super::args::{positionals_and_json, UsageError};
use super::{finish_status, CliError, EXIT_USAGE};
use crate::session::TcpSessionTracker;

/// Runs `session`.
pub fn run(args: Vec<std::ffi::OsString>, mut out: &mut dyn Write) -> Result<i32, CliError> {
    let ([path, stream], json) = positionals_and_json::<2>(args, "session takes FILE and STREAM")?;
    let stream: u32 = stream.parse().map_err(|_| {
        UsageError(format!(
            "STREAM must be a tcp.stream number, not '{stream}'"
        ))
    })?;
    let mut tracker = TcpSessionTracker::for_stream(stream);
    let (pipeline, _) = feed_analyzed(&path, &mut |c, tcp| tracker.observe(c, tcp))?;
    let status = finish_status(&path, pipeline.error());
    let Some(session) = tracker.session(stream) else {
        // A damaged capture already printed its one line (status 2); the stream may be past it.
        if status == super::EXIT_OK {
            eprintln!("tracematch: {path}: no TCP stream {stream}");
            return Ok(EXIT_USAGE);
        }
        return Ok(status);
    };
    if json {
        serde_json::to_writer(&mut *out, &session).map_err(std::io::Error::other)?;
        writeln!(out)?;
    } else {
        session.write_text(&mut out)?;
    }
    Ok(status)
}
