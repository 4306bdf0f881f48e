//! `tracematch dns FILE [--json]`: DNS transactions (query, response, rcode, answers, latency,
//! unanswered, retransmissions) as CSV in query order.

use std::io::Write;

use super::analyzed::feed_analyzed;
use super::args::{utf8, UsageError};
use super::{finish_status, CliError};
use crate::stats::DnsStats;

/// Runs `dns`.
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
    let [path] =
        <[String; 1]>::try_from(positional).map_err(|_| UsageError("dns takes one FILE".into()))?;
    let mut dns = DnsStats::new();
    let (pipeline, _) = feed_analyzed(&path, &mut |c, tcp| dns.observe(c, tcp))?;
    if json {
        serde_json::to_writer(&mut *out, dns.transactions()).map_err(std::io::Error::other)?;
        writeln!(out)?;
    } else {
        dns.write_csv(&mut out)?;
    }
    Ok(finish_status(&path, pipeline.error()))
}
