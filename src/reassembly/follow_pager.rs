//! Following a stream in pages: [`FollowPager`] keeps only owned state between calls (the
//! stream's frame list, the position reached, the banner's nodes and the TCP follower), so a front
//! end that cannot hold a borrowing iterator across calls (the page's worker) can show the first
//! screen of a stream of hundreds of megabytes at once and ask for more as the user scrolls.
//!
//! Each page is read with a fresh [`StreamReader`] resumed at the position reached; pages end at
//! frame boundaries, so every frame is decoded exactly once over all pages and the chunks are the
//! ones [`super::stream_chunks`] yields, in the same order.
//!
//! Memory between pages: the frame list (4 bytes per frame) and what the TCP follower holds back
//! (bounded by [`TcpFollowOptions::max_buffered_bytes`]). Chunks read beyond a full page (at most one
//! frame's worth) wait for the next page.

use std::collections::VecDeque;
use std::io;

use super::follow_format::{FollowHeader, FollowProto};
use super::stream_source::StreamReader;
use super::tcp_follow::{FollowChunk, TcpFollow, TcpFollowOptions};
use crate::capture::random_access::ByteSource;
use crate::pipeline::{ConvKind, Indexer};

/// One page of a followed stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowPage {
    /// Chunks in follow order (about `max_bytes` of payload; at least one when any is left).
    pub chunks: Vec<FollowChunk>,
    /// True when the stream has no chunk after this page.
    pub done: bool,
}

/// A stream being followed page by page (see the module header).
#[derive(Clone, Debug)]
pub struct FollowPager {
    header: FollowHeader,
    frames: Vec<u32>,
    pos: usize,
    tcp: TcpFollow,
    /// Chunks produced and not handed out yet (at most one frame's worth beyond a page).
    ready: VecDeque<FollowChunk>,
    finished: bool,
}

impl FollowPager {
    /// Starts following `stream` of the capture indexed by `indexer` (bytes from `source`); reads
    /// ahead to the stream's first packet for the banner. None when the stream has no frame.
    pub fn new(
        indexer: &Indexer,
        source: &mut dyn ByteSource,
        proto: FollowProto,
        stream: u32,
        options: TcpFollowOptions,
    ) -> Option<Self> {
        let kind = match proto {
            FollowProto::Tcp => ConvKind::Tcp,
            FollowProto::Udp => ConvKind::Udp,
        };
        let frames = indexer.frames_of_stream(kind, stream);
        if frames.is_empty() {
            return None;
        }
        let mut probe = StreamReader::with_frames(indexer, source, proto, frames.clone());
        let header = probe.header(stream);
        Some(Self {
            header,
            frames,
            pos: 0,
            tcp: TcpFollow::new(options),
            ready: VecDeque::new(),
            finished: false,
        })
    }

    /// The banner: protocol, stream and nodes (node 0 = first packet's source).
    pub fn header(&self) -> &FollowHeader {
        &self.header
    }

    /// Frames of the stream (as listed by the index).
    pub fn frame_count(&self) -> usize {
        self.frames.len()
    }

    /// Frames read so far.
    pub fn frames_read(&self) -> usize {
        self.pos
    }

    /// The next chunks: about `max_bytes` of payload (at least one chunk when any is left; a chunk
    /// is never split). `indexer` and `source` must be the ones given to [`Self::new`]. A read
    /// error ends the stream: it is returned once (with the chunks of that page lost) and later
    /// calls return what the follower still holds, then `done`.
    pub fn next_page(
        &mut self,
        indexer: &Indexer,
        source: &mut dyn ByteSource,
        max_bytes: usize,
    ) -> io::Result<FollowPage> {
        let max_bytes = max_bytes.max(1);
        let mut chunks = Vec::new();
        let mut total = 0usize;
        // Frames are read only when the chunks left over do not fill the page.
        let leftover: usize = self.ready.iter().map(|c| c.bytes.len().max(1)).sum();
        let mut reader = (leftover < max_bytes && !self.finished).then(|| {
            StreamReader::with_frames(indexer, source, self.header.proto, self.frames.clone())
                .resume(self.pos, self.header.node0, self.header.node1)
        });
        loop {
            // Chunks ready (left over from the last page first) go out until the page is full.
            while total < max_bytes {
                let Some(c) = self.ready.pop_front() else {
                    break;
                };
                total = total.saturating_add(c.bytes.len().max(1));
                chunks.push(c);
            }
            if total >= max_bytes || self.finished {
                break;
            }
            let Some(r) = reader.as_mut() else {
                break;
            };
            // Read one whole frame (all its layers) so a page ends at a frame boundary.
            let mut read_any = false;
            match self.header.proto {
                FollowProto::Tcp => {
                    while let Some(seg) = r.next_tcp() {
                        read_any = true;
                        self.tcp.push(&seg);
                        if r.at_frame_boundary() {
                            break;
                        }
                    }
                }
                FollowProto::Udp => {
                    while let Some(d) = r.next_udp() {
                        read_any = true;
                        if !d.payload.is_empty() {
                            self.ready.push_back(FollowChunk {
                                frame: d.frame,
                                ts_ns: d.ts_ns,
                                dir: d.dir.min(1),
                                bytes: d.payload,
                                gap_before: None,
                            });
                        }
                        if r.at_frame_boundary() {
                            break;
                        }
                    }
                }
            }
            self.pos = r.position();
            if let Some(e) = r.error() {
                let error = io::Error::new(e.kind(), e.to_string());
                self.tcp.finish();
                self.finished = true;
                self.ready.extend(std::iter::from_fn(|| self.tcp.pop()));
                return Err(error);
            }
            if !read_any {
                self.tcp.finish();
                self.finished = true;
            }
            while let Some(c) = self.tcp.pop() {
                self.ready.push_back(c);
            }
        }
        Ok(FollowPage {
            chunks,
            done: self.finished && self.ready.is_empty(),
        })
    }
}
