//! `tracematch endpoints FILE [--json]`: IP endpoints (per address: packets, bytes sent and
//! received, conversations) as CSV, IPv4 then IPv6, most packets first.

use std::io::Write;

use super::analyzed::feed_analyzed;
use super::args::{utf8, UsageError};
use super::{finish_status, CliError};
use crate::stats::EndpointTable;

/// Runs `endpoints`.
pub fn run(args: Vec<std::ffi::OsString>, mut out: &mut dyn Write) -> Result<i32, CliError> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut positional = Vec::new();
    let mut json = false;
    while let Some(arg) = p.next()? {
        match arg {
            Long("json") => json = true,
            Long("csv") => json = false,
            Value(v) => positional.push(utf8(v, "argument")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let [path] = <[String; 1]>::try_from(positional)
        .map_err(|_| UsageError("endpoints takes one FILE".into()))?;
    let mut table = EndpointTable::new();
    let (pipeline, _) = feed_analyzed(&path, &mut |c, _| table.observe(c))?;
    if json {
        let rows: Vec<_> = table
            .rows(false)
            .into_iter()
            .chain(table.rows(true))
            .collect();
        serde_json::to_writer(&mut *out, &rows).map_err(std::io::Error::other)?;
        writeln!(out)?;
    } else {
        table.write_csv(&mut out)?;
    }
    Ok(finish_status(&path, pipeline.error()))
}
