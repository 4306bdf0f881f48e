//! `tracematch match [--label NAME]... A B [C ...] [--json|--tsv] [--missing-syn|--lost|--flow]`:
//! the stream-to-stream match table between captures of the same traffic taken at different points,
//! with clock offset, missing SYNs, packets lost between the points and the multi-hop flow table.

use std::io::Write;

use super::args::{utf8, UsageError};
use super::{CliError, EXIT_OK};
use crate::matching::{match_files, MatchError, MatchOptions, View};

/// Runs `match`.
pub fn run(args: Vec<std::ffi::OsString>, out: &mut dyn Write) -> Result<i32, CliError> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut paths = Vec::new();
    let mut labels = Vec::new();
    let mut json = false;
    let mut view: Option<View> = None;
    let mut options = MatchOptions::default();
    let set_view = |v: View, current: &mut Option<View>| -> Result<(), UsageError> {
        if current.is_some() {
            return Err(UsageError(
                "choose one of --missing-syn, --lost and --flow".into(),
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
            Value(v) => paths.push(utf8(v, "argument")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let report = match match_files(&paths, &labels, &options) {
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
    Ok(EXIT_OK)
}
