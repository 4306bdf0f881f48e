//! The application nodes (`http`, `tls`, `tcp.segments`) of the protocol hierarchy, as additions
//! to a hierarchy counted without them.
//!
//! The page counts its hierarchy in one streaming pass with no index and no reassembly, so it
//! has no `http` / `tls` nodes; `tracematch phs` places them with
//! [`super::ProtocolHierarchy::observe_with_app_path`] after [`AppFrames`] marked the frames
//! ending an HTTP message or carrying TLS items ([`AppFrames::path_of`]: the nodes after `tcp`).
//! [`app_nodes_of_capture`] gives the same nodes for an indexed capture by reading back only the
//! marked frames (to learn each one's protocol path), as [`AppNode`]s: "under `eth:ip:tcp`, add
//! `tls` with these frames and bytes", "under `eth:ip:tcp:tls`, add `tcp.segments` …". Adding
//! them to the rows of the hierarchy counted without application nodes gives the rows of the
//! two-pass hierarchy: application nodes always end a path (the decoder has no layer after
//! `tcp`'s payload), so no other node changes.
//!
//! Placement follows `observe_with_app_path`: only after a path ending in `tcp`, cut at
//! [`MAX_PHS_DEPTH`] nodes. Nodes are in the order of their first frame, so a node's parent
//! (itself added, or a row of the hierarchy) always comes before it. Memory: one [`AppNode`] per
//! distinct (parent path, protocol), at most [`MAX_PHS_NODES`] (frames of further nodes are
//! counted in [`AppNodeCounter::frames_not_placed`]).

use std::collections::BTreeMap;
use std::io;

use serde::Serialize;

use super::protocol_hierarchy::{frame_protocol_path, MAX_PHS_DEPTH, MAX_PHS_NODES};
use super::AppFrames;
use crate::capture::random_access::ByteSource;
use crate::decode::DecodedFrame;
use crate::flow::FrameStreams;
use crate::index::reread_frame;
use crate::pipeline::Indexer;

/// One application node to add to a hierarchy counted without application nodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppNode {
    /// Path of the node it goes under (e.g. `eth:ip:tcp`), as in [`super::PhsRow::path`].
    pub parent: String,
    /// The application protocol (`http` or `tls`).
    pub proto: &'static str,
    /// Frames counted under it.
    pub frames: u64,
    /// Sum of those frames' `frame.len`.
    pub bytes: u64,
}

/// Counts application nodes frame by frame (the pure part of [`app_nodes_of_capture`]).
#[derive(Clone, Debug, Default)]
pub struct AppNodeCounter {
    nodes: Vec<AppNode>,
    /// `parent` + `\n` + `proto` → index into `nodes`.
    lookup: BTreeMap<String, usize>,
    not_placed: u64,
}

impl AppNodeCounter {
    /// No nodes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts a frame of `bytes` whose protocol path without application nodes is `path` and
    /// whose application nodes after `tcp` are `app` (outermost first, as
    /// [`AppFrames::path_of`] gives them): one count for each of them. Nothing is counted, as
    /// `observe_with_app_path` adds nothing, unless the path ends in `tcp`; nodes past
    /// [`MAX_PHS_DEPTH`] are left out.
    pub fn add(&mut self, path: &[&'static str], app: &[&'static str], bytes: u64) {
        if path.last() != Some(&"tcp") {
            return;
        }
        let room = MAX_PHS_DEPTH.saturating_sub(path.len());
        let mut parent = path.join(":");
        for &proto in app.iter().take(room) {
            if !self.add_node(&parent, proto, bytes) {
                return;
            }
            parent = format!("{parent}:{proto}");
        }
    }

    /// Counts one frame under the node `proto` below `parent`; false when the node limit left it out.
    fn add_node(&mut self, parent: &str, app: &'static str, bytes: u64) -> bool {
        let key = format!("{parent}\n{app}");
        let index = match self.lookup.get(&key) {
            Some(&i) => i,
            None => {
                if self.nodes.len() >= MAX_PHS_NODES {
                    self.not_placed = self.not_placed.saturating_add(1);
                    return false;
                }
                self.nodes.push(AppNode {
                    parent: parent.to_string(),
                    proto: app,
                    frames: 0,
                    bytes: 0,
                });
                self.lookup.insert(key, self.nodes.len() - 1);
                self.nodes.len() - 1
            }
        };
        if let Some(node) = self.nodes.get_mut(index) {
            node.frames = node.frames.saturating_add(1);
            node.bytes = node.bytes.saturating_add(bytes);
        }
        true
    }

    /// Frames not counted because [`MAX_PHS_NODES`] nodes were already kept.
    pub fn frames_not_placed(&self) -> u64 {
        self.not_placed
    }

    /// The nodes, in the order of their first frame.
    pub fn into_nodes(self) -> Vec<AppNode> {
        self.nodes
    }
}

/// The application nodes of the capture `indexer` indexed: the frames `app` marks are read back
/// from `source` (the same file), decoded, and counted under their protocol path. Only marked
/// frames are read (each one that completes a fragmented datagram with up to
/// [`crate::index::FRAGMENT_LOOKBACK`] frames before it). An error when the file cannot be read.
pub fn app_nodes_of_capture(
    indexer: &Indexer,
    source: &mut dyn ByteSource,
    app: &AppFrames,
) -> io::Result<Vec<AppNode>> {
    let mut counter = AppNodeCounter::new();
    let mut decoded = DecodedFrame::default();
    let streams = FrameStreams::default();
    let mut path = Vec::new();
    let frames = u32::try_from(indexer.index().len()).unwrap_or(u32::MAX);
    for number in 1..=frames {
        let nodes = app.path_of(number);
        if nodes.is_empty() {
            continue;
        }
        let Some(frame) = reread_frame(indexer, source, number, &mut decoded)? else {
            continue;
        };
        let ctx = frame.context(&decoded, &streams, 0);
        frame_protocol_path(&ctx, &mut path);
        counter.add(&path, nodes, u64::from(frame.meta.wire_len));
    }
    Ok(counter.into_nodes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes(c: AppNodeCounter) -> Vec<(String, &'static str, u64, u64)> {
        c.into_nodes()
            .into_iter()
            .map(|n| (n.parent, n.proto, n.frames, n.bytes))
            .collect()
    }

    #[test]
    fn nodes_are_counted_per_parent_in_first_seen_order() {
        let mut c = AppNodeCounter::new();
        c.add(&["eth", "ip", "tcp"], &["tls"], 100);
        c.add(&["eth", "ipv6", "tcp"], &["http"], 70);
        c.add(&["eth", "ip", "tcp"], &["http"], 60);
        c.add(&["eth", "ip", "tcp"], &["tls"], 40);
        c.add(&["eth", "ip", "tcp"], &[], 40);
        assert_eq!(
            nodes(c),
            vec![
                ("eth:ip:tcp".to_string(), "tls", 2, 140),
                ("eth:ipv6:tcp".to_string(), "http", 1, 70),
                ("eth:ip:tcp".to_string(), "http", 1, 60),
            ]
        );
    }

    #[test]
    fn nested_application_nodes_follow_their_parent() {
        let mut c = AppNodeCounter::new();
        c.add(&["eth", "ip", "tcp"], &["tls", "tcp.segments"], 1500);
        c.add(&["eth", "ip", "tcp"], &["tls"], 100);
        c.add(&["eth", "ip", "tcp"], &["tcp.segments", "http"], 54);
        assert_eq!(
            nodes(c),
            vec![
                ("eth:ip:tcp".to_string(), "tls", 2, 1600),
                ("eth:ip:tcp:tls".to_string(), "tcp.segments", 1, 1500),
                ("eth:ip:tcp".to_string(), "tcp.segments", 1, 54),
                ("eth:ip:tcp:tcp.segments".to_string(), "http", 1, 54),
            ]
        );
    }

    #[test]
    fn only_paths_ending_in_tcp_get_nodes_and_depth_is_capped() {
        let mut c = AppNodeCounter::new();
        c.add(&["eth", "ip", "udp"], &["http"], 10);
        c.add(&["eth", "ip", "tcp", "dns"], &["tls"], 10);
        c.add(&[], &["http"], 10);
        let full: Vec<&'static str> = std::iter::repeat_n("mpls", MAX_PHS_DEPTH - 1)
            .chain(["tcp"])
            .collect();
        c.add(&full, &["http"], 10);
        assert!(c.into_nodes().is_empty());
        // Room for one more node: the first application node only.
        let mut c = AppNodeCounter::new();
        c.add(&full[1..], &["tls", "tcp.segments"], 10);
        let got = nodes(c);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "tls");
    }

    #[test]
    fn node_limit_is_kept() {
        let mut c = AppNodeCounter::new();
        let names: Vec<&'static str> = (0..MAX_PHS_NODES + 3)
            .map(|i| &*Box::leak(format!("p{i}").into_boxed_str()))
            .collect();
        for n in &names {
            c.add(&[n, "tcp"], &["http"], 1);
        }
        assert_eq!(c.frames_not_placed(), 3);
        assert_eq!(c.into_nodes().len(), MAX_PHS_NODES);
    }
}
