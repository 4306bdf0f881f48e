//! `tracematch esp FILE [--csv]`: ESP per SPI and direction: packets, bytes, sequence range,
//! lost (gaps), late and early (reordering) packets and duplicates.

use std::io::Write;

use super::analyzed::feed_analyzed;
use super::args::{utf8, UsageError};
use super::{finish_status, CliError};
use crate::stats::EspStats;

/// Runs `esp`.
pub fn run(args: Vec<std::ffi::OsString>, mut out: &mut dyn Write) -> Result<i32, CliError> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut positional = Vec::new();
    let mut csv = false;
    while let Some(arg) = p.next()? {
        match arg {
            Long("csv") => csv = true,
            Value(v) => positional.push(utf8(v, "argument")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let [path] =
        <[String; 1]>::try_from(positional).map_err(|_| UsageError("esp takes one FILE".into()))?;
    let mut esp = EspStats::new();
    let (pipeline, _) = feed_analyzed(&path, &mut |c, _| esp.observe(c))?;
    if csv {
        esp.write_csv(&mut out)?;
    } else {
        // Addresses, hexadecimal SPIs and numbers hold no commas: the table is the CSV with tabs.
        let mut text = Vec::new();
        esp.write_csv(&mut text)?;
        for b in text.iter_mut() {
            if *b == b',' {
                *b = b'\t';
            }
        }
        out.write_all(&text)?;
    }
    Ok(finish_status(&path, pipeline.error()))
}
