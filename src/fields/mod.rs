//! tshark-compatible field names and value formats (`tshark -n -T fields`), from a decoded frame.
//!
//! [`Field::parse`] turns a field name into a compiled [`Field`] once; [`Field::write`] then
//! appends the frame's values in tshark's format: several occurrences (tunnels, ICMP-quoted
//! headers) comma-joined outermost first, nothing for an absent field. Unknown names are reported
//! together by [`compile`] as tshark does (`Some fields aren't valid`).

mod field;
mod format;
#[cfg(test)]
mod tests;
mod typed;

pub use field::Field;
pub use typed::{FieldKind, FieldValue};

use crate::capture::{FrameMeta, TimestampNs};
use crate::decode::DecodedFrame;

/// Everything a field value may come from.
#[derive(Clone, Copy, Debug)]
pub struct FieldContext<'a> {
    /// The frame's record facts.
    pub meta: &'a FrameMeta,
    /// The decoded layers.
    pub frame: &'a DecodedFrame,
    /// The frame's captured bytes.
    pub data: &'a [u8],
    /// `tcp_streams[i]`: the `tcp.stream` of the i-th TCP layer in `frame.layers`.
    pub tcp_streams: &'a [u32],
    /// `udp_streams[i]`: the `udp.stream` of the i-th UDP layer.
    pub udp_streams: &'a [u32],
    /// Timestamp of the capture's first frame (`frame.time_relative` is measured from it).
    pub first_ts_ns: TimestampNs,
    /// Whether the capture format records interfaces (pcapng). tshark leaves
    /// `frame.interface_id` empty for classic pcap.
    pub has_interfaces: bool,
}

/// Field names tshark would reject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownFields(pub Vec<String>);

impl std::fmt::Display for UnknownFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Some fields aren't valid:")?;
        for name in &self.0 {
            write!(f, "\n\t{name}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownFields {}

/// Compiles field names, or lists every unknown one.
pub fn compile<S: AsRef<str>>(names: &[S]) -> Result<Vec<Field>, UnknownFields> {
    let mut fields = Vec::with_capacity(names.len());
    let mut unknown = Vec::new();
    for name in names {
        match Field::parse(name.as_ref()) {
            Some(f) => fields.push(f),
            None => unknown.push(name.as_ref().to_owned()),
        }
    }
    if unknown.is_empty() {
        Ok(fields)
    } else {
        Err(UnknownFields(unknown))
    }
}

/// Appends the values of field `name` for the frame in `ctx` to `out`; false when the name is
/// not a known field (nothing is written then).
pub fn field_values(name: &str, ctx: &FieldContext, out: &mut String) -> bool {
    match Field::parse(name) {
        Some(f) => {
            f.write(ctx, out);
            true
        }
        None => false,
    }
}

/// Appends one tab-separated line (no newline) with `fields` for the frame in `ctx`.
pub fn write_line(fields: &[Field], ctx: &FieldContext, out: &mut String) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        f.write(ctx, out);
    }
}
