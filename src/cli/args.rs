//! Small argument helpers shared by the subcommands.

/// A usage error with its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

/// Converts an OS string argument to UTF-8 or fails with a usage error naming `what`.
pub fn utf8(v: std::ffi::OsString, what: &str) -> Result<String, UsageError> {
    v.into_string()
        .map_err(|_| UsageError(format!("{what} is not valid UTF-8")))
}

/// Parses the arguments of a subcommand that takes exactly `N` positional arguments and an
/// optional `--json`; `usage` is the message when the count is wrong (e.g. "info takes one FILE").
pub fn positionals_and_json<const N: usize>(
    args: Vec<std::ffi::OsString>,
    usage: &str,
) -> Result<([String; N], bool), super::CliError> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut positional = Vec::new();
    let mut json = false;
    while let Some(arg) = p.next()? {
        match arg {
            Long("json") => json = true,
            Value(v) => positional.push(utf8(v, "argument")?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let values = <[String; N]>::try_from(positional).map_err(|_| UsageError(usage.into()))?;
    Ok((values, json))
}
