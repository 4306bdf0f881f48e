//! `tracematch conv FILE tcp|udp|ip [--json]`: the conversation table.

use std::io::Write;

use super::args::{positionals_and_json, UsageError};
use super::{finish_status, input, CliError};
use crate::pipeline::{ConvKind, Conversation, Pipeline};

/// Runs `conv`.
pub fn run(args: Vec<std::ffi::OsString>, out: &mut dyn Write) -> Result<i32, CliError> {
    let ([path, kind], json) = positionals_and_json::<2>(args, "conv takes FILE and tcp|udp|ip")?;
    let kind = match kind.as_str() {
        "tcp" => ConvKind::Tcp,
        "udp" => ConvKind::Udp,
        "ip" => ConvKind::Ip,
        k => return Err(UsageError(format!("unknown conversation type '{k}'")).into()),
    };
    let mut pipeline = Pipeline::new();
    input::feed(&path, &mut pipeline, &mut |_| {})?;
    let rows = pipeline.conversations(kind);
    if json {
        serde_json::to_writer(&mut *out, &rows).map_err(std::io::Error::other)?;
        writeln!(out)?;
    } else {
        write_table(out, kind, &rows)?;
    }
    Ok(finish_status(&path, pipeline.error()))
}

fn write_table(out: &mut dyn Write, kind: ConvKind, rows: &[Conversation]) -> std::io::Result<()> {
    let ports = kind != ConvKind::Ip;
    if ports {
        writeln!(out, "stream\taddr_a\tport_a\taddr_b\tport_b\tframes_a_to_b\tbytes_a_to_b\tframes_b_to_a\tbytes_b_to_a\tframes\tbytes\trel_start\tduration")?;
    } else {
        writeln!(out, "addr_a\taddr_b\tframes_a_to_b\tbytes_a_to_b\tframes_b_to_a\tbytes_b_to_a\tframes\tbytes\trel_start\tduration")?;
    }
    for r in rows {
        if ports {
            write!(
                out,
                "{}\t{}\t{}\t{}\t{}\t",
                r.stream.unwrap_or(0),
                r.addr_a,
                r.port_a.unwrap_or(0),
                r.addr_b,
                r.port_b.unwrap_or(0)
            )?;
        } else {
            write!(out, "{}\t{}\t", r.addr_a, r.addr_b)?;
        }
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{:.9}\t{:.9}",
            r.frames_a_to_b,
            r.bytes_a_to_b,
            r.frames_b_to_a,
            r.bytes_b_to_a,
            r.frames,
            r.bytes,
            r.rel_start,
            r.duration
        )?;
    }
    Ok(())
}
