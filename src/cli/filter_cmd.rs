//! `tracematch filter FILE FILTER`: the numbers of the frames matching a display filter, one per
//! line (`tshark -Y FILTER -T fields -e frame.number`). Also the shared `-Y` compile step.

use std::io::Write;

use super::args::{utf8, UsageError};
use super::{finish_status, input, CliError, EXIT_USAGE};
use crate::filter::{Filter, FrameFilter};
use crate::pipeline::{FrameContext, Pipeline};

/// Compiles `text`, or prints tshark's message with a caret line under the offending token to
/// stderr and returns the usage exit status.
pub(crate) fn compile_or_report(text: &str) -> Result<Filter, i32> {
    Filter::compile(text).map_err(|e| {
        eprintln!("tracematch: {}", e.render(text));
        EXIT_USAGE
    })
}

/// Runs `filter`.
pub fn run(args: Vec<std::ffi::OsString>, out: &mut dyn Write) -> Result<i32, CliError> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut positional = Vec::new();
    while let Some(arg) = p.next()? {
        match arg {
            Value(v) => positional.push(utf8(v, "argument")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let [path, text] = <[String; 2]>::try_from(positional)
        .map_err(|_| UsageError("filter takes FILE and FILTER".into()))?;
    let filter = match compile_or_report(&text) {
        Ok(f) => f,
        Err(status) => return Ok(status),
    };
    let mut frames = FrameFilter::new(filter);
    let mut pipeline = Pipeline::new();
    let mut write_error: Option<std::io::Error> = None;
    let mut visit = |c: &FrameContext| {
        if frames.matches(c) && write_error.is_none() {
            if let Err(e) = writeln!(out, "{}", c.meta.number) {
                write_error = Some(e);
            }
        }
    };
    input::feed(&path, &mut pipeline, &mut visit)?;
    if let Some(e) = write_error {
        return Err(e.into());
    }
    Ok(finish_status(&path, pipeline.error()))
}
