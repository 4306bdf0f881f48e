//! `tracematch index FILE [--json] [--memory-budget SIZE] [--cold-dir DIR]`: index a capture the
//! way the page does (the compact index plus flow tables) and report throughput and memory — the
//! native side of the benchmark. A memory budget (default [`Budget::default`]) that stops indexing
//! is reported on stderr and in the JSON `stopped` field; the figures are those of the partial
//! index. With `--cold-dir`, the index's cold columns move to a temporary file there past the
//! budget, as the page moves them to OPFS (JSON `index_spilled_bytes`).

use std::io::{Read, Write};
use std::time::Instant;

use super::args::{utf8, UsageError};
use super::{finish_status, CliError};
use crate::index::FileColdStore;
use crate::limits::{parse_size, Budget};
use crate::pipeline::Indexer;

/// Runs `index`.
pub fn run(args: Vec<std::ffi::OsString>, out: &mut dyn Write) -> Result<i32, CliError> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut positional = Vec::new();
    let mut json = false;
    let mut chunk = 16usize << 20;
    let mut budget = Budget::default();
    let mut cold_dir: Option<String> = None;
    while let Some(arg) = p.next()? {
        match arg {
            Long("json") => json = true,
            Long("chunk") => {
                let v = utf8(p.value()?, "--chunk")?;
                chunk = v
                    .parse::<usize>()
                    .ok()
                    .filter(|c| *c > 0)
                    .ok_or_else(|| UsageError(format!("bad --chunk '{v}'")))?;
            }
            Long("memory-budget") => {
                let v = utf8(p.value()?, "--memory-budget")?;
                let total =
                    parse_size(&v).map_err(|e| UsageError(format!("--memory-budget: {e}")))?;
                budget = Budget::from_total(total);
            }
            Long("cold-dir") => cold_dir = Some(utf8(p.value()?, "--cold-dir")?),
            Value(v) => positional.push(utf8(v, "argument")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let [path] = <[String; 1]>::try_from(positional)
        .map_err(|_| UsageError("index takes one FILE".into()))?;
    let mut file: Box<dyn Read> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(&path)?)
    };
    let start = Instant::now();
    let mut ix = Indexer::with_budget(&budget);
    if let Some(dir) = &cold_dir {
        let store = FileColdStore::create_in(std::path::Path::new(dir))
            .map_err(|e| UsageError(format!("--cold-dir {dir}: {e}")))?;
        ix.set_cold_store(Box::new(store));
    }
    let mut buf = vec![0u8; chunk];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        ix.push(&buf[..n]);
    }
    ix.finish();
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    let s = ix.summary();
    let bytes = ix.progress().bytes;
    let report = serde_json::json!({
        "file": path,
        "frames": s.frames,
        "input_bytes": bytes,
        "seconds": secs,
        "mb_per_s": bytes as f64 / 1e6 / secs,
        "packets_per_s": s.frames as f64 / secs,
        "index_bytes_per_packet": s.index_bytes_per_packet,
        "index_heap_bytes": ix.index().heap_bytes(),
        "index_spilled_bytes": s.index_spilled_bytes,
        "tcp_streams": s.tcp_streams,
        "udp_streams": s.udp_streams,
        "peak_rss_bytes": peak_rss_bytes(),
        "error": s.error,
        "stopped": s.stopped,
    });
    if let Some(stopped) = &s.stopped {
        eprintln!("tracematch: {path}: {stopped}");
    }
    if json {
        writeln!(out, "{report}")?;
    } else {
        writeln!(
            out,
            "{} frames, {:.1} MB in {:.3} s: {:.1} MB/s, {:.0} packets/s, index {:.1} B/packet, peak RSS {} MB",
            s.frames,
            bytes as f64 / 1e6,
            secs,
            bytes as f64 / 1e6 / secs,
            s.frames as f64 / secs,
            s.index_bytes_per_packet,
            peak_rss_bytes().unwrap_or(0) / 1_000_000
        )?;
    }
    Ok(finish_status(&path, ix.pipeline().error()))
}

/// Peak resident set size of this process (Linux `VmHWM`), if known.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
