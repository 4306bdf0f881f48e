//! The stateful frame decoder (link type dispatch, tunnels, ICMP-quoted packets, IP defragmentation).
//!
//! [`Decoder::decode`] builds a [`Walk`] (the per-frame decoding context) and hands the frame to the
//! link-layer parser for its link type; every parser pushes its layer and calls the parser of the
//! next one. Recursion is bounded ([`MAX_DEPTH`] nested dispatches, [`MAX_LAYERS`] layers).

use super::defrag::Defrag;
use super::{link, Anomaly, DecodedFrame, Layer};
use crate::capture::{FrameMeta, RecordKind};

/// Most nested protocol dispatches per frame (tunnels inside tunnels).
pub(crate) const MAX_DEPTH: u32 = 32;
/// Most layers kept per frame.
pub(crate) const MAX_LAYERS: usize = 64;

/// Decodes frames in file order. State: pending IPv4/IPv6 fragments (bounded, see
/// [`super::defrag`]) and the payload of the datagram the last frame completed.
#[derive(Default)]
pub struct Decoder {
    defrag: Defrag,
    reassembled: Vec<u8>,
    reassembled_valid: bool,
    spans: Vec<LayerSpan>,
}

/// Where one decoded layer's header starts: an offset in the frame, or in the reassembled
/// datagram ([`Decoder::reassembled_payload`]) when `reassembled`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LayerSpan {
    /// Offset of the layer's first header byte.
    pub offset: u32,
    /// The offset refers to the reassembled datagram, not to the frame.
    pub reassembled: bool,
}

impl Decoder {
    /// A decoder with empty fragment tables.
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes one frame into `out` (cleared first). Never panics; problems become anomalies.
    ///
    /// `data` is the captured bytes; `meta.wire_len` is the frame's length on the wire, which
    /// the length computations (`tcp.len`) use as tshark does ("reported length").
    pub fn decode(&mut self, meta: &FrameMeta, data: &[u8], out: &mut DecodedFrame) {
        out.clear();
        self.spans.clear();
        self.reassembled_valid = false;
        if meta.kind != RecordKind::Packet {
            // pcapng custom / journal blocks: records tshark numbers as frames, not packets.
            return;
        }
        let end = (meta.wire_len as usize).max(data.len());
        let mut walk = Walk {
            out,
            defrag: &mut self.defrag,
            reassembled: &mut self.reassembled,
            reassembled_valid: false,
            spans: &mut self.spans,
            frame_number: meta.number,
            depth: 0,
            in_error: false,
            in_reassembled: false,
            vlan_id: 0,
        };
        link::dispatch(&mut walk, meta.linktype, data, end);
        self.reassembled_valid = walk.reassembled_valid;
    }

    /// When the last decoded frame completed an IP datagram, its reassembled payload (the bytes
    /// that the transport layers' offsets refer to).
    pub fn reassembled_payload(&self) -> Option<&[u8]> {
        if self.reassembled_valid {
            Some(&self.reassembled)
        } else {
            None
        }
    }

    /// Where each layer of the last decoded frame starts (parallel to its `layers`).
    pub fn layer_spans(&self) -> &[LayerSpan] {
        &self.spans
    }

    /// Bytes currently held for incomplete fragmented datagrams.
    pub fn pending_fragment_bytes(&self) -> usize {
        self.defrag.held_bytes()
    }
}

/// The per-frame decoding context every parser receives.
pub(crate) struct Walk<'a> {
    /// The frame being filled.
    pub(crate) out: &'a mut DecodedFrame,
    /// Pending fragments.
    pub(crate) defrag: &'a mut Defrag,
    /// Buffer receiving a completed datagram.
    pub(crate) reassembled: &'a mut Vec<u8>,
    /// True once `reassembled` holds this frame's completed datagram.
    pub(crate) reassembled_valid: bool,
    /// Start of every pushed layer.
    pub(crate) spans: &'a mut Vec<LayerSpan>,
    /// `frame.number` of the frame.
    pub(crate) frame_number: u32,
    /// Current dispatch nesting.
    pub(crate) depth: u32,
    /// Inside the packet quoted by an ICMP error.
    pub(crate) in_error: bool,
    /// Decoding bytes of the reassembled buffer (no nested reassembly there).
    pub(crate) in_reassembled: bool,
    /// Id of the last VLAN tag seen (tshark's `pinfo->vlan_id`, part of the IPv4 fragment key).
    pub(crate) vlan_id: u16,
}

impl Walk<'_> {
    /// Appends a layer; false (and an anomaly, once) when the frame already has [`MAX_LAYERS`].
    pub(crate) fn push(&mut self, layer: Layer, offset: usize) -> bool {
        if self.out.layers.len() >= MAX_LAYERS {
            if !self
                .out
                .anomalies
                .iter()
                .any(|a| a.kind == "too_many_layers")
            {
                self.anomaly(
                    offset,
                    "too_many_layers",
                    "more than 64 layers; decoding stopped",
                );
            }
            return false;
        }
        self.out.layers.push(layer);
        self.spans.push(LayerSpan {
            offset: u32::try_from(offset).unwrap_or(u32::MAX),
            reassembled: self.in_reassembled,
        });
        true
    }

    /// Records a problem at `offset`.
    pub(crate) fn anomaly(
        &mut self,
        offset: usize,
        kind: &'static str,
        message: impl Into<String>,
    ) {
        self.out.anomalies.push(Anomaly {
            offset: u32::try_from(offset).unwrap_or(u32::MAX),
            kind,
            message: message.into(),
        });
    }

    /// Records a truncated header of `layer` at `offset`.
    pub(crate) fn truncated(&mut self, offset: usize, layer: &str) {
        self.anomaly(offset, "truncated", format!("{layer} header truncated"));
    }

    /// Runs `f` one dispatch level deeper, unless [`MAX_DEPTH`] is reached.
    pub(crate) fn nested(&mut self, offset: usize, f: impl FnOnce(&mut Self)) {
        if self.depth >= MAX_DEPTH {
            self.anomaly(
                offset,
                "too_deep",
                "encapsulation nested too deeply; decoding stopped",
            );
            return;
        }
        self.depth += 1;
        f(self);
        self.depth -= 1;
    }
}

/// The captured bytes of `data` between `off` and the reported end `end` (may be empty).
#[inline]
pub(crate) fn captured(data: &[u8], off: usize, end: usize) -> &[u8] {
    let stop = end.min(data.len());
    data.get(off..stop).unwrap_or(&[])
}
