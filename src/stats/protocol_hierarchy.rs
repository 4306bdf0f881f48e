//! Protocol hierarchy statistics (Wireshark's Statistics › Protocol Hierarchy, `tshark -q -z
//! io,phs`): a tree of the protocols stacked in each frame, with the frames and bytes under every
//! node.
//!
//! A frame's path is its decoded layers' protocol names, outermost first, as tshark names the
//! protocol items of its tree: `ethertype` and IPv6 extension headers are fields inside their
//! protocol (no node), every MPLS label is a node, radiotap is followed by `wlan_radio`, an
//! Ethernet pseudowire with control word is `pweth.cw` › `pwethcw`, AH after IPv6 is one of IPv6's
//! extension headers, ICMP / ICMPv6 end the path (the headers an error quotes and an echo's data
//! are inside ICMP's item), raw-IP link types start with `raw`, and non-packet pcapng blocks are
//! `data`.
//! Application protocols are not layers of the decoder: [`ProtocolHierarchy::observe_with_app`]
//! adds `http` / `tls` after TCP for the frames [`super::AppFrames`] marks (those ending a PDU),
//! [`ProtocolHierarchy::observe_with_app_path`] also tshark's `tcp.segments` item after `tls`;
//! other application protocols of TCP and tshark's `data` for undissected payload do not appear.
//! Like tshark's, every node counts the whole frame (`frame.len`) in its bytes.
//!
//! Children are kept in first-seen order (tshark's order). Memory: one node per distinct path
//! prefix, at most [`MAX_PHS_NODES`]; a frame whose path would need more is counted in
//! [`ProtocolHierarchy::frames_not_placed`] from the first node that does not fit.

use std::io::Write;

use serde::Serialize;

use crate::capture::RecordKind;
use crate::decode::Layer;
use crate::pipeline::FrameContext;

/// Most tree nodes kept.
pub const MAX_PHS_NODES: usize = 10_000;

/// Longest path followed per frame (deeper layers are not counted).
pub const MAX_PHS_DEPTH: usize = 64;

#[derive(Clone, Debug)]
struct Node {
    name: &'static str,
    frames: u64,
    bytes: u64,
    children: Vec<u32>,
}

/// One row of the hierarchy, depth first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PhsRow {
    /// Nesting depth (0 for the outermost protocols).
    pub depth: u32,
    /// Protocol name (tshark's filter name).
    pub proto: &'static str,
    /// Names from the root down to this node, joined with `:`.
    pub path: String,
    /// Frames whose path passes through this node.
    pub frames: u64,
    /// Sum of those frames' `frame.len`.
    pub bytes: u64,
}

/// The protocol hierarchy of a capture, fed frame by frame.
#[derive(Clone, Debug, Default)]
pub struct ProtocolHierarchy {
    nodes: Vec<Node>,
    roots: Vec<u32>,
    frames: u64,
    not_placed: u64,
    path: Vec<&'static str>,
}

/// Appends the protocol-item names of a frame's layers to `path` (see the module header).
pub fn frame_protocol_path(ctx: &FrameContext, path: &mut Vec<&'static str>) {
    path.clear();
    if ctx.meta.kind != RecordKind::Packet {
        path.push("data");
        return;
    }
    if matches!(ctx.meta.linktype, 101 | 12 | 14) && !ctx.frame.layers.is_empty() {
        path.push("raw");
    }
    let layers = &ctx.frame.layers;
    for (i, layer) in layers.iter().enumerate() {
        if path.len() >= MAX_PHS_DEPTH {
            break;
        }
        let previous = i.checked_sub(1).and_then(|p| layers.get(p));
        match layer {
            // tshark 4.0 adds no protocol item for VXLAN-GPE.
            Layer::VxlanGpe { .. } => {}
            Layer::PwEth { control_word: true } => path.extend(["pweth.cw", "pwethcw"]),
            Layer::PwEth {
                control_word: false,
            } => path.push("pwethnocw"),
            Layer::Radiotap { .. } => path.extend(["radiotap", "wlan_radio"]),
            // Headers quoted in an ICMP error and echo payloads are inside ICMP's own tree.
            Layer::Icmp(_) | Layer::Icmpv6(_) => {
                path.push(layer.filter_name());
                break;
            }
            // AH after IPv6 is one of IPv6's extension headers, inside the IPv6 item.
            Layer::Ah { .. } if matches!(previous, Some(Layer::Ipv6(_))) => {}
            _ => path.push(layer.filter_name()),
        }
    }
    path.truncate(MAX_PHS_DEPTH);
}

impl ProtocolHierarchy {
    /// An empty hierarchy.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one frame.
    pub fn observe(&mut self, ctx: &FrameContext) {
        let mut path = std::mem::take(&mut self.path);
        frame_protocol_path(ctx, &mut path);
        self.add(&path, u64::from(ctx.meta.wire_len));
        self.path = path;
    }

    /// Counts one frame, adding the application node `app` (e.g. `http`) after a path that ends
    /// in TCP.
    pub fn observe_with_app(&mut self, ctx: &FrameContext, app: Option<&'static str>) {
        let mut path = std::mem::take(&mut self.path);
        frame_protocol_path(ctx, &mut path);
        if let Some(app) = app {
            if path.last() == Some(&"tcp") && path.len() < MAX_PHS_DEPTH {
                path.push(app);
            }
        }
        self.add(&path, u64::from(ctx.meta.wire_len));
        self.path = path;
    }

    /// Counts one frame, adding the application nodes `app` (e.g. `["tls", "tcp.segments"]`,
    /// from [`super::AppFrames::path_of`]) after a path that ends in TCP.
    pub fn observe_with_app_path(&mut self, ctx: &FrameContext, app: &[&'static str]) {
        let mut path = std::mem::take(&mut self.path);
        frame_protocol_path(ctx, &mut path);
        if path.last() == Some(&"tcp") {
            let room = MAX_PHS_DEPTH.saturating_sub(path.len());
            path.extend(app.iter().take(room));
        }
        self.add(&path, u64::from(ctx.meta.wire_len));
        self.path = path;
    }

    /// Counts one frame of `bytes` whose protocol path is `path` (outermost first).
    pub fn add(&mut self, path: &[&'static str], bytes: u64) {
        self.frames = self.frames.saturating_add(1);
        let mut parent: Option<u32> = None;
        for &name in path {
            let siblings = match parent {
                None => &self.roots,
                Some(p) => &self.nodes[p as usize].children,
            };
            let found = siblings
                .iter()
                .copied()
                .find(|&i| self.nodes[i as usize].name == name);
            let index = match found {
                Some(i) => i,
                None => {
                    if self.nodes.len() >= MAX_PHS_NODES {
                        self.not_placed = self.not_placed.saturating_add(1);
                        return;
                    }
                    let i = self.nodes.len() as u32;
                    self.nodes.push(Node {
                        name,
                        frames: 0,
                        bytes: 0,
                        children: Vec::new(),
                    });
                    match parent {
                        None => self.roots.push(i),
                        Some(p) => self.nodes[p as usize].children.push(i),
                    }
                    i
                }
            };
            let node = &mut self.nodes[index as usize];
            node.frames = node.frames.saturating_add(1);
            node.bytes = node.bytes.saturating_add(bytes);
            parent = Some(index);
        }
    }

    /// Frames counted.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Frames whose path was cut short because the tree reached [`MAX_PHS_NODES`].
    pub fn frames_not_placed(&self) -> u64 {
        self.not_placed
    }

    /// The rows, depth first, children in first-seen order.
    pub fn rows(&self) -> Vec<PhsRow> {
        let mut out = Vec::with_capacity(self.nodes.len());
        // Explicit stack of (node, depth, parent path); children pushed in reverse.
        let mut stack: Vec<(u32, u32, String)> = self
            .roots
            .iter()
            .rev()
            .map(|&i| (i, 0, String::new()))
            .collect();
        while let Some((i, depth, prefix)) = stack.pop() {
            let node = &self.nodes[i as usize];
            let path = if prefix.is_empty() {
                node.name.to_string()
            } else {
                format!("{prefix}:{}", node.name)
            };
            for &c in node.children.iter().rev() {
                stack.push((c, depth + 1, path.clone()));
            }
            out.push(PhsRow {
                depth,
                proto: node.name,
                path,
                frames: node.frames,
                bytes: node.bytes,
            });
        }
        out
    }

    /// The hierarchy in `tshark -q -z io,phs`'s text layout (no display filter).
    pub fn write_text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let rule = "=".repeat(67);
        writeln!(out)?;
        writeln!(out, "{rule}")?;
        writeln!(out, "Protocol Hierarchy Statistics")?;
        writeln!(out, "Filter: ")?;
        writeln!(out)?;
        for row in self.rows() {
            let label = format!("{}{}", "  ".repeat(row.depth as usize), row.proto);
            writeln!(out, "{label:<40} frames:{} bytes:{}", row.frames, row.bytes)?;
        }
        writeln!(out, "{rule}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(frames: &[(&[&'static str], u64)]) -> ProtocolHierarchy {
        let mut h = ProtocolHierarchy::new();
        for (path, bytes) in frames {
            h.add(path, *bytes);
        }
        h
    }

    #[test]
    fn counts_every_prefix_in_first_seen_order() {
        let h = tree(&[
            (&["eth", "ip", "udp", "dns"], 80),
            (&["eth", "ip", "tcp"], 60),
            (&["eth", "arp"], 42),
            (&["eth", "ip", "udp"], 100),
        ]);
        let rows: Vec<(u32, &str, u64, u64)> = h
            .rows()
            .iter()
            .map(|r| (r.depth, r.proto, r.frames, r.bytes))
            .collect();
        assert_eq!(
            rows,
            vec![
                (0, "eth", 4, 282),
                (1, "ip", 3, 240),
                (2, "udp", 2, 180),
                (3, "dns", 1, 80),
                (2, "tcp", 1, 60),
                (1, "arp", 1, 42),
            ]
        );
        assert_eq!(h.rows()[3].path, "eth:ip:udp:dns");
        assert_eq!(h.frames(), 4);
    }

    #[test]
    fn repeated_protocols_nest() {
        let h = tree(&[(&["eth", "mpls", "mpls", "ip"], 100)]);
        let rows = h.rows();
        let names: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(
            names,
            ["eth", "eth:mpls", "eth:mpls:mpls", "eth:mpls:mpls:ip"]
        );
    }

    #[test]
    fn text_layout_is_tsharks() {
        let h = tree(&[(&["eth", "ip", "ah", "esp"], 194)]);
        let mut out = Vec::new();
        h.write_text(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "=".repeat(67));
        assert_eq!(
            lines[5],
            "eth                                      frames:1 bytes:194"
        );
        assert_eq!(
            lines[8],
            "      esp                                frames:1 bytes:194"
        );
        assert_eq!(lines[9], "=".repeat(67));
    }

    #[test]
    fn node_limit_is_kept() {
        let mut h = ProtocolHierarchy::new();
        let names: Vec<&'static str> = (0..MAX_PHS_NODES + 5)
            .map(|i| &*Box::leak(format!("p{i}").into_boxed_str()))
            .collect();
        for n in &names {
            h.add(&[n], 1);
        }
        assert_eq!(h.rows().len(), MAX_PHS_NODES);
        assert_eq!(h.frames_not_placed(), 5);
        assert_eq!(h.frames(), (MAX_PHS_NODES + 5) as u64);
    }
}
