//! `tracematch esp FILE [--csv] [--interval DUR]`: ESP per SPI and direction: packets, bytes,
//! sequence range, lost (gaps), late and early (reordering) packets and duplicates; with
//! `--interval`, the same per interval (rows with packets only, times relative to the first frame).

use std::io::Write;

use super::analyzed::feed_analyzed;
use super::args::{utf8, UsageError};
use super::{finish_status, CliError};
use crate::stats::{parse_interval, EspIntervals, EspStats};

/// Runs `esp`.
pub fn run(args: Vec<std::ffi::OsString>, out: &mut dyn Write) -> Result<i32, CliError> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut positional = Vec::new();
    let mut csv = false;
    let mut interval = None;
    while let Some(arg) = p.next()? {
        match arg {
            Long("csv") => csv = true,
            Long("interval") | Short('i') => interval = Some(utf8(p.value()?, "--interval")?),
            Value(v) => positional.push(utf8(v, "argument")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let [path] =
        <[String; 1]>::try_from(positional).map_err(|_| UsageError("esp takes one FILE".into()))?;
    let mut text = Vec::new();
    let pipeline = if let Some(interval) = interval {
        let ns = parse_interval(&interval)
            .map_err(|e| UsageError(format!("bad --interval '{interval}': {e}")))?;
        let mut series = EspIntervals::new(ns);
        let (pipeline, _) = feed_analyzed(&path, &mut |c, _| series.observe(c))?;
        series.write_csv(&mut text)?;
        pipeline
    } else {
        let mut esp = EspStats::new();
        let (pipeline, _) = feed_analyzed(&path, &mut |c, _| esp.observe(c))?;
        esp.write_csv(&mut text)?;
        pipeline
    };
    if csv {
        out.write_all(&text)?;
    } else {
        // Addresses, hexadecimal SPIs and numbers hold no commas: the table is the CSV with tabs.
        for b in text.iter_mut() {
            if *b == b',' {
                *b = b'\t';
            }
        }
        out.write_all(&text)?;
    }
    Ok(finish_status(&path, pipeline.error()))
}
