//! `tracematch graph FILE STREAM --kind stevens|tcptrace|throughput|rtt|window [--node 0|1]
//! [--csv|--json]`: one direction of one TCP stream as Wireshark's TCP Stream Graphs draw it
//! (node 0: the direction of the stream's first packet, as `follow --node`).
//!
//! Text and CSV give one row per point: `line,frame,time,value,top,seq` (time in seconds since the
//! capture's first frame with 9 decimals; empty `top`/`seq` where the line has none).

use std::io::Write;

use super::analyzed::feed_analyzed;
use super::args::{utf8, UsageError};
use super::{finish_status, CliError, EXIT_USAGE};
use crate::session::{stream_graph, GraphKind, StreamGraph, StreamGraphBuilder};

/// Runs `graph`.
pub fn run(args: Vec<std::ffi::OsString>, out: &mut dyn Write) -> Result<i32, CliError> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut positional = Vec::new();
    let mut kind = None;
    let mut node = 0u8;
    let mut format = Format::Text;
    while let Some(arg) = p.next()? {
        match arg {
            Long("kind") => {
                let v = utf8(p.value()?, "--kind")?;
                kind = Some(GraphKind::parse(&v).ok_or_else(|| {
                    UsageError(format!(
                        "--kind must be stevens, tcptrace, throughput, rtt or window, not '{v}'"
                    ))
                })?);
            }
            Long("node") => {
                node = match utf8(p.value()?, "--node")?.as_str() {
                    "0" => 0,
                    "1" => 1,
                    other => {
                        return Err(
                            UsageError(format!("--node must be 0 or 1, not '{other}'")).into()
                        )
                    }
                };
            }
            Long("csv") => format = Format::Csv,
            Long("json") => format = Format::Json,
            Value(v) => positional.push(utf8(v, "argument")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let [path, stream] = <[String; 2]>::try_from(positional)
        .map_err(|_| UsageError("graph takes FILE and STREAM".into()))?;
    let stream: u32 = stream.parse().map_err(|_| {
        UsageError(format!(
            "STREAM must be a tcp.stream number, not '{stream}'"
        ))
    })?;
    let kind = kind.ok_or_else(|| UsageError("graph needs --kind".into()))?;
    let mut builder = StreamGraphBuilder::new(stream);
    let (pipeline, analyzer) = feed_analyzed(&path, &mut |c, tcp| builder.observe(c, tcp))?;
    let status = finish_status(&path, pipeline.error());
    let segments = builder.finish(analyzer.display_pass());
    if segments.segments.is_empty() {
        eprintln!("tracematch: {path}: no TCP stream {stream}");
        return Ok(if status == super::EXIT_OK {
            EXIT_USAGE
        } else {
            status
        });
    }
    let graph = stream_graph(&segments, kind, node);
    if segments.dropped > 0 {
        eprintln!(
            "tracematch: {path}: stream {stream}: {} packets beyond the graph limit not drawn",
            segments.dropped
        );
    }
    match format {
        Format::Json => {
            serde_json::to_writer(&mut *out, &graph).map_err(std::io::Error::other)?;
            writeln!(out)?;
        }
        Format::Csv => write_rows(&graph, ',', out)?,
        Format::Text => {
            writeln!(
                out,
                "# tcp.stream {stream} {} {} -> {}",
                kind.name(),
                graph.from,
                graph.to
            )?;
            write_rows(&graph, '\t', out)?;
        }
    }
    Ok(status)
}

#[derive(Clone, Copy)]
enum Format {
    Text,
    Csv,
    Json,
}

/// One row per point (names and numbers hold no separator).
fn write_rows(graph: &StreamGraph, sep: char, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "line{sep}frame{sep}time{sep}value{sep}top{sep}seq")?;
    for line in &graph.lines {
        for p in &line.points {
            let top = p.top.map(|t| t.to_string()).unwrap_or_default();
            let seq = p.seq.map(|s| s.to_string()).unwrap_or_default();
            writeln!(
                out,
                "{}{sep}{}{sep}{:.9}{sep}{}{sep}{top}{sep}{seq}",
                line.name, p.frame, p.time, p.value
            )?;
        }
    }
    Ok(())
}
