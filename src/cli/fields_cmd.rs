//! `tracematch fields FILE [--header] [-Y FILTER] -e FIELD...`: one tab-separated line per frame
//! (per frame matching the display filter, with `-Y`) with the same field names, value formats and
//! empty cells as `tshark -n -T fields`.

use std::io::Write;

use super::args::{utf8, UsageError};
use super::{finish_status, input, CliError};
use crate::fields::{self, FieldContext};
use crate::filter::FrameFilter;
use crate::pipeline::{FrameContext, Pipeline};

/// Runs `fields`.
pub fn run(args: Vec<std::ffi::OsString>, out: &mut dyn Write) -> Result<i32, CliError> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut positional = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut header = false;
    let mut display_filter: Option<String> = None;
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
            Short('Y') => display_filter = Some(utf8(p.value()?, "-Y")?),
            Value(v) => positional.push(utf8(v, "argument")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let [path] = <[String; 1]>::try_from(positional)
        .map_err(|_| UsageError("fields takes one FILE".into()))?;
    if names.is_empty() {
        return Err(UsageError("fields needs at least one -e FIELD".into()).into());
    }
    let compiled = fields::compile(&names).map_err(|e| UsageError(e.to_string()))?;
    let mut frame_filter = match display_filter {
        None => None,
        Some(text) => match super::filter_cmd::compile_or_report(&text) {
            Ok(f) => Some(FrameFilter::new(f)),
            Err(status) => return Ok(status),
        },
    };
    if header {
        writeln!(out, "{}", names.join("\t"))?;
    }
    let mut pipeline = Pipeline::new();
    let mut line = String::with_capacity(256);
    let mut write_error: Option<std::io::Error> = None;
    let mut visit = |c: &FrameContext| {
        // Single pass, as tshark without -2: the filter sees frames in order.
        let shown = frame_filter.as_mut().is_none_or(|f| f.matches(c));
        if write_error.is_some() || !shown {
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
        line.clear();
        fields::write_line(&compiled, &ctx, &mut line);
        line.push('\n');
        if let Err(e) = out.write_all(line.as_bytes()) {
            write_error = Some(e);
        }
    };
    input::feed(&path, &mut pipeline, &mut visit)?;
    if let Some(e) = write_error {
        return Err(e.into());
    }
    Ok(finish_status(&path, pipeline.error()))
}
