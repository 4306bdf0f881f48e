//! `tracematch fields FILE [--header] -e FIELD...`: one tab-separated line per frame with the same
//! field names, value formats and empty cells as `tshark -n -T fields`.
//!
//! TCP analysis fields (`tcp.analysis.*`, relative `tcp.seq` / `tcp.ack` / `tcp.nxtseq`,
//! `tcp.window_size`, see [`crate::session::is_tcp_analysis_field`]) print as `tshark -n -2`
//! does: a first pass analyzes every frame and keeps only its small per-TCP-layer analysis records
//! ([`LayerAnalysis`], about 100 bytes per TCP layer plus 2 bytes per frame; never packet bytes);
//! a second read of the file prints the lines after [`crate::session::TcpDisplayPass`] has
//! rewritten the display values with the state the first pass ended with. Standard input is
//! buffered in memory for the second read.

use std::io::{Read, Write};

use super::args::{utf8, UsageError};
use super::{finish_status, input, CliError};
use crate::fields::{self, Field, FieldContext};
use crate::pipeline::{FrameContext, Pipeline};
use crate::session::{format_field, is_tcp_analysis_field, LayerAnalysis, TcpAnalyzer};

/// One requested column.
enum Column {
    /// A field the decoder's frame gives.
    Frame(Field),
    /// A TCP analysis field (name kept for [`format_field`]).
    Analysis(String),
}

/// Runs `fields`.
pub fn run(args: Vec<std::ffi::OsString>, out: &mut dyn Write) -> Result<i32, CliError> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut positional = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut header = false;
    while let Some(arg) = p.next()? {
        match arg {
            Long("header") => header = true,
            Short('E') => {
                let v = utf8(p.value()?, "-E")?;
                match v.as_str() {
                    "header=y" => header = true,
                    "header=n" => header = false,
                    _ => return Err(UsageError(format!("unsupported -E option '{v}'")).into()),
                }
            }
            Short('e') => names.push(utf8(p.value()?, "-e")?),
            Value(v) => positional.push(utf8(v, "argument")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let [path] = <[String; 1]>::try_from(positional)
        .map_err(|_| UsageError("fields takes one FILE".into()))?;
    if names.is_empty() {
        return Err(UsageError("fields needs at least one -e FIELD".into()).into());
    }
    let frame_names: Vec<&String> = names.iter().filter(|n| !is_tcp_analysis_field(n)).collect();
    let mut compiled = fields::compile(&frame_names)
        .map_err(|e| UsageError(e.to_string()))?
        .into_iter();
    let columns: Vec<Column> = names
        .iter()
        .filter_map(|n| {
            if is_tcp_analysis_field(n) {
                Some(Column::Analysis(n.clone()))
            } else {
                compiled.next().map(Column::Frame)
            }
        })
        .collect();
    if header {
        writeln!(out, "{}", names.join("\t"))?;
    }
    let two_pass = columns.iter().any(|c| matches!(c, Column::Analysis(_)));
    let (error, write_error) = if two_pass {
        run_two_pass(&path, &columns, out)?
    } else {
        let mut pipeline = Pipeline::new();
        let mut lines = LineWriter::new(out);
        input::feed(&path, &mut pipeline, &mut |c: &FrameContext| {
            lines.write(&columns, c, &[], None)
        })?;
        (pipeline.error().cloned(), lines.error)
    };
    if let Some(e) = write_error {
        return Err(e.into());
    }
    Ok(finish_status(&path, error.as_ref()))
}

/// Two passes over the capture (see the module doc); returns the capture error and a write error.
fn run_two_pass(
    path: &str,
    columns: &[Column],
    out: &mut dyn Write,
) -> Result<(Option<crate::capture::CaptureError>, Option<std::io::Error>), CliError> {
    let stdin_copy = if path == "-" {
        let mut data = Vec::new();
        std::io::stdin().lock().read_to_end(&mut data)?;
        Some(data)
    } else {
        None
    };
    // Pass 1: analysis records, frame by frame (layer counts per frame, records flat).
    let mut analyzer = TcpAnalyzer::new();
    let mut records: Vec<LayerAnalysis> = Vec::new();
    let mut counts: Vec<u16> = Vec::new();
    let mut tcp: Vec<LayerAnalysis> = Vec::new();
    {
        let mut pipeline = Pipeline::new();
        let mut first = |c: &FrameContext| {
            analyzer.analyze_frame(c, &mut tcp);
            let keep = tcp.len().min(usize::from(u16::MAX));
            records.extend_from_slice(&tcp[..keep]);
            counts.push(keep as u16);
        };
        feed_source(path, stdin_copy.as_deref(), &mut pipeline, &mut first)?;
    }
    // Pass 2: the display values, then the lines.
    let mut display = analyzer.display_pass();
    let mut pipeline = Pipeline::new();
    let mut lines = LineWriter::new(out);
    let mut frame_index = 0usize;
    let mut start = 0usize;
    let mut second = |c: &FrameContext| {
        let n = counts.get(frame_index).copied().map_or(0, usize::from);
        frame_index = frame_index.saturating_add(1);
        let end = start.saturating_add(n).min(records.len());
        let layers = records.get_mut(start..end).unwrap_or_default();
        start = end;
        display.apply(layers);
        lines.write(columns, c, layers, Some(&analyzer));
    };
    feed_source(path, stdin_copy.as_deref(), &mut pipeline, &mut second)?;
    Ok((pipeline.error().cloned(), lines.error))
}

/// Feeds `path`, or `memory` when standard input was buffered.
fn feed_source<V: FnMut(&FrameContext)>(
    path: &str,
    memory: Option<&[u8]>,
    pipeline: &mut Pipeline,
    visit: &mut V,
) -> std::io::Result<()> {
    match memory {
        Some(data) => {
            for chunk in data.chunks(1 << 20) {
                pipeline.push(chunk, visit);
                if pipeline.error().is_some() {
                    break;
                }
            }
            pipeline.finish(visit);
            Ok(())
        }
        None => input::feed(path, pipeline, visit),
    }
}

/// Formats and writes lines, remembering the first write error (then writing no more).
struct LineWriter<'a> {
    out: &'a mut dyn Write,
    line: String,
    error: Option<std::io::Error>,
}

impl<'a> LineWriter<'a> {
    fn new(out: &'a mut dyn Write) -> Self {
        LineWriter {
            out,
            line: String::with_capacity(256),
            error: None,
        }
    }

    fn write(
        &mut self,
        columns: &[Column],
        c: &FrameContext,
        layers: &[LayerAnalysis],
        analyzer: Option<&TcpAnalyzer>,
    ) {
        if self.error.is_some() {
            return;
        }
        let ctx = FieldContext {
            meta: c.meta,
            frame: c.frame,
            data: c.data,
            tcp_streams: &c.streams.tcp,
            udp_streams: &c.streams.udp,
            first_ts_ns: c.first_ts_ns,
            has_interfaces: c.meta.pcapng,
        };
        self.line.clear();
        for (i, col) in columns.iter().enumerate() {
            if i > 0 {
                self.line.push('\t');
            }
            match col {
                Column::Frame(f) => f.write(&ctx, &mut self.line),
                Column::Analysis(name) => {
                    if let Some(v) = format_field(name, layers, analyzer) {
                        self.line.push_str(&v);
                    }
                }
            }
        }
        self.line.push('\n');
        if let Err(e) = self.out.write_all(self.line.as_bytes()) {
            self.error = Some(e);
        }
    }
}
