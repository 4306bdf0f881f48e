//! The packet-details tree of one frame (Wireshark's middle pane): protocol lines for the frame,
//! link (Ethernet, 802.1Q, Linux cooked), network (IPv4, IPv6, ARP), transport (TCP, UDP, ICMP,
//! ICMPv6) and application (DNS header, HTTP request/status line and Host, first TLS record)
//! layers, each field named as in Wireshark (`ip.src`, `tcp.flags.syn`) with its byte range in
//! the frame, so the page can highlight the bytes and build `field == value` filters.
//!
//! Built from what the decoder already found ([`crate::decode::DecodedFrame`] and the layer
//! starts from [`crate::decode::Decoder::layer_spans`]); other layers (tunnels, 802.11, ...)
//! appear as a protocol line without fields. Values follow tshark's PDML `show` attribute;
//! `tests/details_corpus.rs` compares names, values, offsets and lengths with tshark's PDML.
//! Layers decoded from a reassembled IP datagram have no range in the frame: their lines carry
//! offset 0 and length 0.

mod application;
mod link;
mod network;
mod node;
mod transport;

pub use node::DetailNode;

use crate::decode::{describe, Layer, LayerSpan};
use crate::fields::{Field, FieldContext};

/// The protocol tree of the frame in `ctx`; `spans[i]` is where `ctx.frame.layers[i]` starts.
pub fn frame_details(ctx: &FieldContext, spans: &[LayerSpan]) -> Vec<DetailNode> {
    let mut tree = vec![frame_node(ctx)];
    let data = ctx.data;
    let app_protocol = describe(ctx.meta, ctx.frame, data).protocol;
    let (mut tcp_index, mut udp_index) = (0usize, 0usize);
    for (layer, span) in ctx.frame.layers.iter().zip(spans) {
        let off = span.offset as usize;
        let mut node = match layer {
            Layer::Ethernet(e) => link::ethernet(e, off),
            Layer::Vlan(v) => link::vlan(v, off),
            Layer::Sll(s) => link::sll(s, data, off),
            Layer::Ipv4(ip) => network::ipv4(ip, off),
            Layer::Ipv6(ip) => network::ipv6(ip, data, off),
            Layer::Arp(a) => network::arp(a, data, off),
            Layer::Tcp(t) => {
                let stream = ctx.tcp_streams.get(tcp_index).copied();
                tcp_index += 1;
                transport::tcp(t, data, off, stream)
            }
            Layer::Udp(u) => {
                let stream = ctx.udp_streams.get(udp_index).copied();
                udp_index += 1;
                transport::udp(u, data, off, stream)
            }
            Layer::Icmp(i) => transport::icmp(i, data, off, false),
            Layer::Icmpv6(i) => transport::icmp(i, data, off, true),
            Layer::Dns(d) => application::dns(d),
            other => DetailNode::protocol(other.filter_name(), other.column_name().into(), off, 0),
        };
        if span.reassembled {
            clear_ranges(&mut node);
        }
        tree.push(node);
        // The application line over the TCP payload, when the Protocol column names one.
        if let Layer::Tcp(t) = layer {
            if t.in_error || span.reassembled || t.payload_captured == 0 {
                continue;
            }
            let (at, len) = (t.payload_offset as usize, t.payload_captured as usize);
            let app = if app_protocol == "HTTP" {
                application::http(data, at, len)
            } else if app_protocol.starts_with("TLS") || app_protocol.starts_with("SSL") {
                application::tls(data, at, len)
            } else {
                None
            };
            tree.extend(app);
        }
    }
    tree
}

/// The `frame` line and its generated fields (no bytes of their own).
fn frame_node(ctx: &FieldContext) -> DetailNode {
    let meta = ctx.meta;
    let mut n = DetailNode::protocol(
        "frame",
        format!(
            "Frame {}: {} bytes on wire ({} bits), {} bytes captured ({} bits)",
            meta.number,
            meta.wire_len,
            u64::from(meta.wire_len) * 8,
            meta.caplen,
            u64::from(meta.caplen) * 8
        ),
        0,
        ctx.data.len(),
    );
    let lines = [
        (Field::FrameInterfaceId, "Interface id"),
        (Field::FrameTimeEpoch, "Epoch Time"),
        (
            Field::FrameTimeRelative,
            "Time since reference or first frame",
        ),
        (Field::FrameNumber, "Frame Number"),
        (Field::FrameLen, "Frame Length"),
        (Field::FrameCapLen, "Capture Length"),
    ];
    for (field, title) in lines {
        let mut value = String::new();
        field.write(ctx, &mut value);
        if !value.is_empty() {
            n.add(field.name(), title, value, 0, 0);
        }
    }
    n
}

/// Drops the byte ranges of a subtree (its bytes are not the frame's).
fn clear_ranges(node: &mut DetailNode) {
    node.offset = 0;
    node.length = 0;
    for child in &mut node.children {
        clear_ranges(child);
    }
}
