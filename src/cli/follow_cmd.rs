//! `tracematch follow FILE tcp|udp STREAM [--format raw|ascii|hex|yaml] [--node 0|1]`: the
//! reassembled stream in tshark's `-z follow` output format.

use std::io::Write;

use super::args::{utf8, UsageError};
use super::{finish_status, input, CliError, EXIT_USAGE};
use crate::reassembly::{write_stream_follow, FollowFormat, FollowProto, NodeFilter};

/// Runs `follow`.
pub fn run(args: Vec<std::ffi::OsString>, out: &mut dyn Write) -> Result<i32, CliError> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut positional = Vec::new();
    let mut format = FollowFormat::Ascii;
    let mut nodes = NodeFilter::Both;
    while let Some(arg) = p.next()? {
        match arg {
            Long("format") => {
                let v = utf8(p.value()?, "--format")?;
                format = FollowFormat::parse(&v)
                    .ok_or_else(|| UsageError(format!("unknown follow format '{v}'")))?;
            }
            Long("node") => {
                let v = utf8(p.value()?, "--node")?;
                nodes = match v.as_str() {
                    "0" => NodeFilter::Node0,
                    "1" => NodeFilter::Node1,
                    _ => return Err(UsageError(format!("--node takes 0 or 1, not '{v}'")).into()),
                };
            }
            Value(v) => positional.push(utf8(v, "argument")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let [path, proto, stream] = <[String; 3]>::try_from(positional)
        .map_err(|_| UsageError("follow takes FILE, tcp|udp and STREAM".into()))?;
    let proto = match proto.as_str() {
        "tcp" => FollowProto::Tcp,
        "udp" => FollowProto::Udp,
        _ => return Err(UsageError(format!("follow supports tcp and udp, not '{proto}'")).into()),
    };
    let stream: u32 = stream
        .parse()
        .map_err(|_| UsageError(format!("bad stream number '{stream}'")))?;
    let (ix, mut source) = input::index(&path)?;
    match write_stream_follow(
        &ix,
        source.as_mut(),
        proto,
        stream,
        format,
        nodes,
        &mut *out,
    ) {
        Ok(_) => Ok(finish_status(&path, ix.pipeline().error())),
        // In a damaged capture the stream may lie past the damage: report the damage (status 2).
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && ix.pipeline().error().is_some() => {
            Ok(finish_status(&path, ix.pipeline().error()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("tracematch: {path}: {e}");
            Ok(EXIT_USAGE)
        }
        Err(e) => Err(e.into()),
    }
}
