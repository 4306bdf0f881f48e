//! Small argument helpers shared by the subcommands.

/// A usage error with its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

/// Converts an OS string argument to UTF-8 or fails with a usage error naming `what`.
pub fn utf8(v: std::ffi::OsString, what: &str) -> Result<String, UsageError> {
    v.into_string()
        .map_err(|_| UsageError(format!("{what} is not valid UTF-8")))
}
