//! `tracematch export FILE [-Y FILTER] [--stream tcp:N|udp:N [--lot N]] [--conversation A,B]
//! [--frames LIST] [--time START..END] [-F pcap|pcapng] [--keylog FILE] -w OUT`: writes the
//! selected packets, read back from FILE as stored, to OUT (`-` = standard output).

use std::io::{Read, Write};

use super::args::{utf8, UsageError};
use super::filter_cmd::compile_or_report;
use super::{finish_status, CliError, EXIT_USAGE};
use crate::capture::random_access::ByteSource;
use crate::export::{
    export_capture, CaptureExportError, ExportError, ExportFormat, ExportOptions, FrameRanges,
    Selection, StreamRef, TimeRange,
};

/// An in-memory capture (standard input) as a [`ByteSource`].
struct Memory(Vec<u8>);

impl ByteSource for Memory {
    fn len(&self) -> u64 {
        self.0.len() as u64
    }
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut s: &[u8] = &self.0;
        s.read_at(offset, buf)
    }
}

fn parse_pair(text: &str) -> Result<(std::net::IpAddr, std::net::IpAddr), UsageError> {
    let bad = || UsageError(format!("--conversation '{text}' is not ADDR_A,ADDR_B"));
    let (a, b) = text.split_once(',').ok_or_else(bad)?;
    Ok((
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    ))
}

/// Runs `export`.
pub fn run(args: Vec<std::ffi::OsString>, out: &mut dyn Write) -> Result<i32, CliError> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut path: Option<String> = None;
    let mut output: Option<String> = None;
    let mut filter_text: Option<String> = None;
    let mut format = ExportFormat::Pcapng;
    let mut keylog_path: Option<String> = None;
    let mut selection = Selection::default();
    while let Some(arg) = p.next()? {
        match arg {
            Short('Y') | Long("filter") => filter_text = Some(utf8(p.value()?, "-Y")?),
            Short('w') => output = Some(utf8(p.value()?, "-w")?),
            Short('F') | Long("format") => {
                let v = utf8(p.value()?, "-F")?;
                format = ExportFormat::parse(&v)
                    .ok_or_else(|| UsageError(format!("-F '{v}': expected pcap or pcapng")))?;
            }
            Long("stream") => {
                let v = utf8(p.value()?, "--stream")?;
                selection.stream = Some(StreamRef::parse(&v).map_err(|e| UsageError(e.0))?);
            }
            Long("lot") => {
                let v = utf8(p.value()?, "--lot")?;
                selection.lot = Some(
                    v.parse()
                        .map_err(|_| UsageError(format!("--lot '{v}' is not a lot number")))?,
                );
            }
            Long("conversation") => {
                selection.ip_pair = Some(parse_pair(&utf8(p.value()?, "--conversation")?)?);
            }
            Long("frames") => {
                let v = utf8(p.value()?, "--frames")?;
                selection.frames = Some(FrameRanges::parse(&v).map_err(|e| UsageError(e.0))?);
            }
            Long("time") => {
                let v = utf8(p.value()?, "--time")?;
                selection.time = Some(TimeRange::parse(&v).map_err(|e| UsageError(e.0))?);
            }
            Long("keylog") => keylog_path = Some(utf8(p.value()?, "--keylog")?),
            Value(v) if path.is_none() => path = Some(utf8(v, "FILE")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let path = path.ok_or_else(|| UsageError("export takes FILE".into()))?;
    let output = output.ok_or_else(|| UsageError("export needs -w OUT (- for stdout)".into()))?;
    if let Some(text) = &filter_text {
        match compile_or_report(text) {
            Ok(f) => selection.filter = Some(f),
            Err(status) => return Ok(status),
        }
    }
    let keylog =
        match &keylog_path {
            Some(k) => Some(std::fs::read(k).map_err(|e| {
                std::io::Error::new(e.kind(), format!("cannot read key log {k}: {e}"))
            })?),
            None => None,
        };
    let options = ExportOptions {
        format,
        keylog: keylog.as_deref(),
    };
    let mut source: Box<dyn ByteSource> = if path == "-" {
        let mut data = Vec::new();
        std::io::stdin().lock().read_to_end(&mut data)?;
        Box::new(Memory(data))
    } else {
        Box::new(
            std::fs::File::open(&path)
                .map_err(|e| std::io::Error::new(e.kind(), format!("cannot open {path}: {e}")))?,
        )
    };
    let result = if output == "-" {
        export_capture(source.as_mut(), selection, &options, &mut *out)
    } else {
        let file = std::fs::File::create(&output)
            .map_err(|e| std::io::Error::new(e.kind(), format!("cannot create {output}: {e}")))?;
        let r = export_capture(
            source.as_mut(),
            selection,
            &options,
            std::io::BufWriter::new(file),
        );
        if r.is_err() {
            // Leave no half-written or empty file behind.
            let _ = std::fs::remove_file(&output);
        }
        r
    };
    match result {
        Ok(done) => {
            if done.summary.comments_dropped > 0 {
                eprintln!(
                    "tracematch: {} packet comments not kept (pcap cannot hold comments)",
                    done.summary.comments_dropped
                );
            }
            if done.records_skipped > 0 {
                eprintln!(
                    "tracematch: {} selected records are not packets (pcapng custom/journal blocks) and were left out",
                    done.records_skipped
                );
            }
            Ok(finish_status(&path, done.capture_error.as_ref()))
        }
        Err(CaptureExportError::Selection(e)) => Err(UsageError(e.0).into()),
        Err(CaptureExportError::Export(ExportError::Io(e))) => Err(e.into()),
        Err(CaptureExportError::Export(e)) => {
            eprintln!("tracematch: {e}");
            Ok(EXIT_USAGE)
        }
    }
}
