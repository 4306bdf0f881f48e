//! `tracematch http FILE [STREAM] [--json]` (HTTP/1.x messages) and
//! `tracematch export-objects FILE DIR` (every HTTP body saved to a file).

use std::io::Write;

use super::args::{utf8, UsageError};
use super::{finish_status, input, CliError};
use crate::app::http::{export_objects, http_messages, http_messages_of_stream, HttpOptions};

/// Runs `http`.
pub fn run(args: Vec<std::ffi::OsString>, out: &mut dyn Write) -> Result<i32, CliError> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut positional = Vec::new();
    let mut json = false;
    let mut options = HttpOptions::default();
    while let Some(arg) = p.next()? {
        match arg {
            Long("json") => json = true,
            Long("max-body") => {
                let v = utf8(p.value()?, "--max-body")?;
                options.max_body_bytes = v
                    .parse()
                    .map_err(|_| UsageError(format!("bad --max-body '{v}'")))?;
            }
            Value(v) => positional.push(utf8(v, "argument")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let (path, stream) = match positional.as_slice() {
        [path] => (path.clone(), None),
        [path, s] => (
            path.clone(),
            Some(
                s.parse::<u32>()
                    .map_err(|_| UsageError(format!("bad stream number '{s}'")))?,
            ),
        ),
        _ => return Err(UsageError("http takes FILE [STREAM]".into()).into()),
    };
    let (ix, mut source) = input::index(&path)?;
    let messages = match stream {
        Some(s) => http_messages_of_stream(&ix, source.as_mut(), s, options),
        None => http_messages(&ix, source.as_mut(), options),
    };
    if json {
        serde_json::to_writer(&mut *out, &messages).map_err(std::io::Error::other)?;
        writeln!(out)?;
    } else {
        for m in &messages {
            let line = match (&m.method, &m.uri, m.status) {
                (Some(method), Some(uri), _) => format!("{method} {uri}"),
                (_, _, Some(status)) => format!("{status}"),
                _ => String::from("?"),
            };
            writeln!(
                out,
                "{}\t{:?}\t{}-{}\t{}\t{}",
                m.stream,
                m.kind,
                m.first_frame,
                m.last_frame,
                line.escape_debug(),
                m.body_len.map(|l| l.to_string()).unwrap_or_default()
            )?;
        }
    }
    Ok(finish_status(&path, ix.pipeline().error()))
}

/// Runs `export-objects FILE DIR`.
pub fn run_export(args: Vec<std::ffi::OsString>, out: &mut dyn Write) -> Result<i32, CliError> {
    let positional: Vec<String> = args
        .into_iter()
        .map(|a| utf8(a, "argument"))
        .collect::<Result<_, _>>()?;
    let [path, dir] = <[String; 2]>::try_from(positional)
        .map_err(|_| UsageError("export-objects takes FILE and DIR".into()))?;
    let (ix, mut source) = input::index(&path)?;
    let messages = http_messages(&ix, source.as_mut(), HttpOptions::default());
    let objects = export_objects(&messages);
    std::fs::create_dir_all(&dir)?;
    let mut bodies = messages.iter().filter_map(|m| m.body.as_deref());
    for o in &objects {
        let Some(body) = bodies.next() else { break };
        // File names are sanitised by export_objects (no separators, no leading dot).
        std::fs::write(std::path::Path::new(&dir).join(&o.filename), body)?;
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            o.stream,
            o.frame,
            o.host.escape_debug(),
            o.path.escape_debug(),
            o.content_type.escape_debug(),
            o.size,
            o.filename
        )?;
    }
    Ok(finish_status(&path, ix.pipeline().error()))
}
