//! `tracematch match [--label NAME]... A B [C ...] [--json|--tsv] [--missing-syn|--lost|--flow]`:
//! the stream-to-stream match table between captures of the same traffic taken at different points,
//! with clock offset, missing SYNs, packets lost between the points and the multi-hop flow table.
//! `--packet-diff` lists every packet of each packet-level match at both points with the fields
//! that differ ([`crate::matching::packet_diff`]). `--export-pcapng OUT` (two captures) also writes the matched pair as one pcapng
//! ([`crate::matching::export_pair`]).

use std::io::Write;

use super::args::{utf8, UsageError};
use super::{finish_status, CliError, EXIT_OK};
use crate::matching::driver::{default_label, DamageReportingVisitor};
use crate::matching::export_pair::export_matched_pair;
use crate::matching::{match_files_with, MatchError, MatchOptions, View};

/// Runs `match`.
pub fn run(args: Vec<std::ffi::OsString>, out: &mut dyn Write) -> Result<i32, CliError> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut paths = Vec::new();
    let mut labels = Vec::new();
    let mut json = false;
    let mut view: Option<View> = None;
    let mut options = MatchOptions::default();
    let mut export: Option<std::ffi::OsString> = None;
    let set_view = |v: View, current: &mut Option<View>| -> Result<(), UsageError> {
        if current.is_some() {
            return Err(UsageError(
                "choose one of --missing-syn, --lost, --flow and --packet-diff".into(),
            ));
        }
        *current = Some(v);
        Ok(())
    };
    while let Some(arg) = p.next()? {
        match arg {
            Long("label") => labels.push(utf8(p.value()?, "--label")?),
            Long("json") => json = true,
            Long("tsv") => json = false,
            Long("missing-syn") => set_view(View::MissingSyn, &mut view)?,
            Long("lost") => set_view(View::Lost, &mut view)?,
            Long("flow") => {
                set_view(View::Flow, &mut view)?;
                options.flow_for_two = true;
            }
            Long("packet-diff") => {
                set_view(View::PacketDiff, &mut view)?;
                options.packet_diff = true;
            }
            Long("export-pcapng") => export = Some(p.value()?),
            Value(v) => paths.push(utf8(v, "argument")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    if let Some(target) = &export {
        export_pcapng(&paths, &labels, target)?;
    }
    let mut visitor = DamageReportingVisitor::default();
    let report = match match_files_with(&mut visitor, &paths, &labels, &options) {
        Ok(r) => r,
        Err(MatchError::Usage(m)) => return Err(UsageError(m).into()),
        Err(MatchError::Io { path, error }) => {
            return Err(std::io::Error::new(error.kind(), format!("{path}: {error}")).into())
        }
    };
    if json {
        let value = match view {
            Some(v) => report.to_json_view(v),
            None => report.to_json(),
        };
        serde_json::to_writer(&mut *out, &value).map_err(std::io::Error::other)?;
        writeln!(out)?;
    } else {
        out.write_all(report.to_tsv(view.unwrap_or(View::Matches)).as_bytes())?;
    }
    // The match used what was read before any damage; the first damaged capture is reported in
    // one line (status 2), as every other subcommand does.
    Ok(match visitor.damage.first() {
        Some((path, e)) => finish_status(path, Some(e)),
        None => EXIT_OK,
    })
}

/// Writes the matched pair `paths[0]`, `paths[1]` as one pcapng at `target` (two captures only).
fn export_pcapng(
    paths: &[String],
    labels: &[String],
    target: &std::ffi::OsStr,
) -> Result<(), CliError> {
    let [a, b] = paths else {
        return Err(UsageError("--export-pcapng needs exactly two captures".into()).into());
    };
    let label = |i: usize, path: &str| {
        labels
            .get(i)
            .cloned()
            .unwrap_or_else(|| default_label(path))
    };
    let (label_a, label_b) = (label(0, a), label(1, b));
    let file = std::fs::File::create(target).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("{}: {e}", std::path::Path::new(target).display()),
        )
    })?;
    let mut writer = std::io::BufWriter::new(file);
    export_matched_pair(
        std::path::Path::new(a),
        std::path::Path::new(b),
        [&label_a, &label_b],
        &mut writer,
    )?;
    writer.flush()?;
    Ok(())
}
