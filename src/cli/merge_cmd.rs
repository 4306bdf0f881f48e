//! `tracematch merge A B [...] -w OUT [--order]`: the packets of every input in time order as one
//! pcapng (like `mergecap -w`), one interface per input interface; `--order` also prints the merge
//! order (`INPUT<TAB>FRAME`, 1-based input in argument order) on standard output.

use std::io::Write;

use super::args::{utf8, UsageError};
use super::{finish_status, CliError, EXIT_OK, EXIT_USAGE};
use crate::capture::random_access::ByteSource;
use crate::export::{merge_captures, ExportError};

/// Runs `merge`.
pub fn run(args: Vec<std::ffi::OsString>, out: &mut dyn Write) -> Result<i32, CliError> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut paths: Vec<String> = Vec::new();
    let mut output: Option<String> = None;
    let mut print_order = false;
    while let Some(arg) = p.next()? {
        match arg {
            Short('w') => output = Some(utf8(p.value()?, "-w")?),
            Long("order") => print_order = true,
            Value(v) => paths.push(utf8(v, "FILE")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    if paths.len() < 2 {
        return Err(UsageError("merge takes two or more capture files".into()).into());
    }
    let output = output.ok_or_else(|| UsageError("merge needs -w OUT (- for stdout)".into()))?;
    if output == "-" && print_order {
        return Err(UsageError("--order cannot share standard output with -w -".into()).into());
    }
    let mut sources: Vec<Box<dyn ByteSource>> = Vec::with_capacity(paths.len());
    for path in &paths {
        let file = std::fs::File::open(path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("cannot open {path}: {e}")))?;
        sources.push(Box::new(file));
    }
    let result = if output == "-" {
        merge_captures(&mut sources, &paths, &mut *out)
    } else {
        let file = std::fs::File::create(&output)
            .map_err(|e| std::io::Error::new(e.kind(), format!("cannot create {output}: {e}")))?;
        let r = merge_captures(&mut sources, &paths, std::io::BufWriter::new(file));
        if r.is_err() {
            // Leave no half-written file behind.
            let _ = std::fs::remove_file(&output);
        }
        r
    };
    let summary = match result {
        Ok(s) => s,
        Err(ExportError::Io(e)) => return Err(e.into()),
        Err(e) => {
            eprintln!("tracematch: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    if print_order {
        for step in &summary.order {
            writeln!(out, "{}\t{}", step.input.saturating_add(1), step.frame)?;
        }
    }
    if summary.records_skipped > 0 {
        eprintln!(
            "tracematch: {} records are not packets (pcapng custom/journal blocks) and were left out",
            summary.records_skipped
        );
    }
    let mut status = EXIT_OK;
    for (path, error) in paths.iter().zip(&summary.capture_errors) {
        let s = finish_status(path, error.as_ref());
        if s != EXIT_OK {
            status = s;
        }
    }
    Ok(status)
}
