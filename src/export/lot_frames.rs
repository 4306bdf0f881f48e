//! Which frames make up the Nth packet lot of a TCP stream, found while frames go by in file order.
//!
//! A lot is what [`crate::session::TcpSessionTracker`] counts: a run of consecutive data packets
//! (TCP payload > 0) of one stream sent in the same direction. The rule here walks the TCP layers
//! the same way (layers not quoted in ICMP errors, stream known), so lot `n` selects exactly the
//! `packets` data packets the Session view lists for lot `n`, starting at its `first_frame`.
//! Constant memory per tracker.

use std::net::IpAddr;

use crate::decode::Layer;
use crate::flow::NO_STREAM;
use crate::pipeline::FrameContext;

/// Follows one stream's lots and says whether a frame belongs to the wanted one.
#[derive(Clone, Debug)]
pub struct LotFrames {
    stream: u32,
    wanted: u32,
    /// The source of the stream's first packet: direction 0, as the session tracker counts.
    first_sender: Option<(IpAddr, u16)>,
    /// Current lot number (1-based) and its direction; 0 before the first data packet.
    lot: u32,
    direction: usize,
}

impl LotFrames {
    /// Tracks lot `lot` (1-based) of TCP stream `stream`.
    pub fn new(stream: u32, lot: u32) -> Self {
        LotFrames {
            stream,
            wanted: lot,
            first_sender: None,
            lot: 0,
            direction: 0,
        }
    }

    /// Feeds one frame (every frame, in file order); true when it carries data of the wanted lot.
    pub fn observe(&mut self, ctx: &FrameContext) -> bool {
        let mut in_lot = false;
        let mut tcp_index = 0usize;
        for layer in &ctx.frame.layers {
            let Layer::Tcp(t) = layer else { continue };
            let i = tcp_index;
            tcp_index += 1;
            let Some(&stream) = ctx.streams.tcp.get(i) else {
                continue;
            };
            if t.in_error || stream == NO_STREAM || stream != self.stream {
                continue;
            }
            let sender = (t.src, t.src_port);
            let first = *self.first_sender.get_or_insert(sender);
            if t.payload_len == 0 {
                continue;
            }
            let direction = usize::from(sender != first);
            if self.lot == 0 || direction != self.direction {
                self.lot = self.lot.saturating_add(1);
                self.direction = direction;
            }
            in_lot |= self.lot == self.wanted;
        }
        in_lot
    }

    /// Lots seen so far.
    pub fn lots_seen(&self) -> u32 {
        self.lot
    }
}
