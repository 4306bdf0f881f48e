//! `tracematch endpoints FILE [--json] [--geoip DB.mmdb]`: IP endpoints (per address: packets,
//! bytes sent and received, conversations) as CSV, IPv4 then IPv6, most packets first. With
//! `--geoip`, each row also gets the country and AS number the local MaxMind DB gives its address
//! (CSV columns `country,asn,as_org`; empty when unknown).

use std::io::Write;

use super::analyzed::feed_analyzed;
use super::args::{utf8, UsageError};
use super::{finish_status, CliError};
use crate::stats::{locate_endpoints, EndpointTable, GeoDatabase, GeoEndpointRow};

/// Runs `endpoints`.
pub fn run(args: Vec<std::ffi::OsString>, mut out: &mut dyn Write) -> Result<i32, CliError> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut positional = Vec::new();
    let mut json = false;
    let mut geoip: Option<String> = None;
    while let Some(arg) = p.next()? {
        match arg {
            Long("json") => json = true,
            Long("csv") => json = false,
            Long("geoip") => geoip = Some(utf8(p.value()?, "--geoip")?),
            Value(v) => positional.push(utf8(v, "argument")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let [path] = <[String; 1]>::try_from(positional)
        .map_err(|_| UsageError("endpoints takes one FILE".into()))?;
    let db = match &geoip {
        Some(db_path) => {
            let bytes = std::fs::read(db_path).map_err(|e| {
                std::io::Error::new(e.kind(), format!("cannot read {db_path}: {e}"))
            })?;
            Some(
                GeoDatabase::from_bytes(bytes)
                    .map_err(|e| UsageError(format!("{db_path}: {e}")))?,
            )
        }
        None => None,
    };
    let mut table = EndpointTable::new();
    let (pipeline, _) = feed_analyzed(&path, &mut |c, _| table.observe(c))?;
    if let Some(db) = &db {
        let rows = locate_endpoints(
            table
                .rows(false)
                .into_iter()
                .chain(table.rows(true))
                .collect(),
            db,
        );
        if json {
            serde_json::to_writer(&mut *out, &rows).map_err(std::io::Error::other)?;
            writeln!(out)?;
        } else {
            write_geo_csv(&mut out, &rows)?;
        }
    } else if json {
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

/// A CSV cell: quoted when it holds a comma, quote or line break (AS organisation names do).
fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// The endpoints CSV with `country,asn,as_org` columns.
fn write_geo_csv<W: Write>(out: &mut W, rows: &[GeoEndpointRow]) -> std::io::Result<()> {
    writeln!(
        out,
        "address,packets,bytes,tx_packets,tx_bytes,rx_packets,rx_bytes,conversations,country,asn,as_org"
    )?;
    for r in rows {
        let e = &r.endpoint;
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{}",
            e.address,
            e.packets,
            e.bytes,
            e.tx_packets,
            e.tx_bytes,
            e.rx_packets,
            e.rx_bytes,
            e.conversations,
            r.geo.country.as_deref().unwrap_or(""),
            r.geo.asn.map(|a| a.to_string()).unwrap_or_default(),
            csv_cell(r.geo.as_org.as_deref().unwrap_or(""))
        )?;
    }
    Ok(())
}
