//! [`DetailNode`]: one line of the packet-details tree, and the small helpers the layer builders
//! share to read header bytes without panicking and to format values as tshark shows them.

use serde::Serialize;

/// One line of the protocol tree: a protocol (`field` = `"ip"`) or a field (`"ip.src"`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DetailNode {
    /// Wireshark's field or protocol name (`ip.src`, `tcp.flags.syn`, `tcp`); empty for a text
    /// line (an HTTP request line).
    pub field: &'static str,
    /// The line as Wireshark shows it ("Source Address: 10.0.0.1").
    pub label: String,
    /// The value as tshark's PDML `show` attribute prints it (what `field == value` accepts);
    /// `None` for protocol lines.
    pub value: Option<String>,
    /// First byte in the frame the line covers.
    pub offset: u32,
    /// Bytes covered (0 for generated fields such as `tcp.stream`).
    pub length: u32,
    /// Sub-lines.
    pub children: Vec<DetailNode>,
}

impl DetailNode {
    /// A protocol line covering `length` bytes at `offset`.
    pub(crate) fn protocol(
        field: &'static str,
        label: String,
        offset: usize,
        length: usize,
    ) -> Self {
        DetailNode {
            field,
            label,
            value: None,
            offset: clamp_u32(offset),
            length: clamp_u32(length),
            children: Vec::new(),
        }
    }

    /// Appends a field line `"{title}: {shown}"` whose value is `value`.
    pub(crate) fn add(
        &mut self,
        field: &'static str,
        title: &str,
        value: String,
        offset: usize,
        length: usize,
    ) -> &mut DetailNode {
        let label = format!("{title}: {value}");
        self.add_labelled(field, label, value, offset, length)
    }

    /// Appends a field line with its own label text.
    pub(crate) fn add_labelled(
        &mut self,
        field: &'static str,
        label: String,
        value: String,
        offset: usize,
        length: usize,
    ) -> &mut DetailNode {
        self.children.push(DetailNode {
            field,
            label,
            value: Some(value),
            offset: clamp_u32(offset),
            length: clamp_u32(length),
            children: Vec::new(),
        });
        let last = self.children.len() - 1;
        &mut self.children[last]
    }

    /// Appends a text line (no field of its own, as Wireshark's text items) covering bytes.
    pub(crate) fn add_text(
        &mut self,
        label: String,
        offset: usize,
        length: usize,
    ) -> &mut DetailNode {
        self.children.push(DetailNode {
            field: "",
            label,
            value: None,
            offset: clamp_u32(offset),
            length: clamp_u32(length),
            children: Vec::new(),
        });
        let last = self.children.len() - 1;
        &mut self.children[last]
    }

    /// Calls `visit` on this node and every descendant, depth first.
    pub fn walk(&self, visit: &mut dyn FnMut(&DetailNode)) {
        visit(self);
        for child in &self.children {
            child.walk(visit);
        }
    }
}

/// `v` as u32, saturating.
fn clamp_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// The byte at `off`, if captured.
pub(crate) fn byte(data: &[u8], off: usize) -> Option<u8> {
    data.get(off).copied()
}

/// The big-endian u16 at `off`, if captured.
pub(crate) fn be16(data: &[u8], off: usize) -> Option<u16> {
    let b = data.get(off..off.checked_add(2)?)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

/// Bytes as tshark prints a byte field (`47:45:54`).
pub(crate) fn hex_colon(bytes: &[u8]) -> String {
    mac(bytes)
}

/// A MAC address as tshark prints it (`00:11:22:33:44:55`).
pub(crate) fn mac(m: &[u8]) -> String {
    let mut s = String::with_capacity(17);
    for (i, b) in m.iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// "Set" / "Not set", as Wireshark labels a flag bit.
pub(crate) fn set_text(on: bool) -> &'static str {
    if on {
        "Set"
    } else {
        "Not set"
    }
}

/// A flag bit's value as PDML shows it ("1" / "0").
pub(crate) fn bit(on: bool) -> String {
    if on { "1" } else { "0" }.to_string()
}
