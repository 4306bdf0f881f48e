//! `tracematch synth demo DIR` (the demo capture pair), `tracematch synth hostile DIR` (the
//! page's injection-test capture, `DIR/hostile.pcap`) and
//! `tracematch synth bulk OUT --bytes N[K|M|G] [--streams N] [--seed N] [--pcapng] [--pair OUT_B]`
//! (the benchmark capture; pcapng when asked or when OUT ends in `.pcapng`; with `--pair`, also
//! the same traffic seen at a second point, both classic pcap, for the match benchmark):
//! deterministic captures made by the project's own generator.

use std::io::Write;

use super::args::{utf8, UsageError};
use super::{CliError, EXIT_OK};
use crate::synth;

/// Parses `123`, `64K`, `500M`, `1G` (powers of 1024).
fn parse_size(v: &str) -> Option<u64> {
    let v = v.trim();
    let (num, mult) = match v.chars().last()? {
        'k' | 'K' => (&v[..v.len() - 1], 1u64 << 10),
        'm' | 'M' => (&v[..v.len() - 1], 1 << 20),
        'g' | 'G' => (&v[..v.len() - 1], 1 << 30),
        _ => (v, 1),
    };
    num.parse::<u64>().ok()?.checked_mul(mult)
}

/// Runs `synth`.
pub fn run(args: Vec<std::ffi::OsString>, out: &mut dyn Write) -> Result<i32, CliError> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut positional = Vec::new();
    let mut bytes: u64 = 1 << 30;
    let mut streams: u64 = 120_000;
    let mut seed: u64 = 1;
    let mut pair: Option<String> = None;
    let mut pcapng = false;
    while let Some(arg) = p.next()? {
        match arg {
            Long("pcapng") => pcapng = true,
            Long("bytes") => {
                let v = utf8(p.value()?, "--bytes")?;
                bytes = parse_size(&v).ok_or_else(|| UsageError(format!("bad --bytes '{v}'")))?;
            }
            Long("streams") => {
                let v = utf8(p.value()?, "--streams")?;
                streams = v
                    .parse()
                    .map_err(|_| UsageError(format!("bad --streams '{v}'")))?;
            }
            Long("seed") => {
                let v = utf8(p.value()?, "--seed")?;
                seed = v
                    .parse()
                    .map_err(|_| UsageError(format!("bad --seed '{v}'")))?;
            }
            Long("pair") => pair = Some(utf8(p.value()?, "--pair")?),
            Value(v) => positional.push(utf8(v, "argument")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    match positional.as_slice() {
        [kind, dir] if kind == "demo" => {
            let dir = std::path::Path::new(dir);
            std::fs::create_dir_all(dir)?;
            let s = synth::demo::demo_pair(dir)?;
            writeln!(
                out,
                "wrote {} and {}: {} connections, {} / {} packets, {} SYNs dropped between the points",
                dir.join("client.pcap").display(),
                dir.join("server.pcap").display(),
                s.connections,
                s.client_packets,
                s.server_packets,
                s.dropped_syns
            )?;
            Ok(EXIT_OK)
        }
        [kind, dir] if kind == "hostile" => {
            let (path, packets) = synth::hostile::hostile_capture(std::path::Path::new(dir))?;
            writeln!(out, "wrote {}: {packets} packets", path.display())?;
            Ok(EXIT_OK)
        }
        [kind, path] if kind == "bulk" && pair.is_some() => {
            let path_b = pair.unwrap_or_default();
            let a = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
            let b = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path_b)?);
            let mut point = synth::bulk::bulk_second_point();
            let (sa, sb) = synth::bulk::bulk_pair(a, b, bytes, streams, seed, &mut point)?;
            writeln!(
                out,
                "wrote {path}: {} packets, {} bytes, {} TCP and {} UDP streams; {path_b}: {} packets, {} bytes",
                sa.packets, sa.bytes, sa.tcp_streams, sa.udp_streams, sb.packets, sb.bytes
            )?;
            Ok(EXIT_OK)
        }
        [kind, path] if kind == "bulk" => {
            let format = if pcapng || path.ends_with(".pcapng") {
                synth::bulk::BulkFormat::Pcapng
            } else {
                synth::bulk::BulkFormat::Pcap
            };
            let file = std::fs::File::create(path)?;
            let w = std::io::BufWriter::with_capacity(1 << 20, file);
            let s = synth::bulk::bulk_as(w, bytes, streams, seed, format)?;
            writeln!(
                out,
                "wrote {path}: {} packets, {} bytes, {} TCP and {} UDP streams",
                s.packets, s.bytes, s.tcp_streams, s.udp_streams
            )?;
            Ok(EXIT_OK)
        }
        _ => Err(UsageError(
            "synth takes 'demo DIR', 'hostile DIR' or 'bulk OUT [--bytes N] [--streams N] [--seed N] [--pcapng] [--pair OUT_B]'"
                .into(),
        )
        .into()),
    }
}
