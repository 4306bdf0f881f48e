//! HTTP/1.0 and 1.1 over the reassembled bytes of one TCP stream: heads with httparse, bodies by
//! Content-Length, chunked transfer coding, or until the connection closes; keep-alive and
//! pipelining; request/response pairing (HEAD, 1xx, 204, 304 responses have no body).
//!
//! Gaps are gaps: a gap inside a body with a known length is counted and the body marked
//! incomplete (no length or hash); a gap anywhere else drops the partial message and the parser
//! resynchronises at the next line that starts a request or a status line.
//!
//! Memory: a head is buffered up to [`HttpOptions::max_head_bytes`]; a body up to
//! [`HttpOptions::max_body_bytes`] encoded and the same decoded (then `truncated`).

use std::collections::VecDeque;

use sha2::{Digest, Sha256};

use super::content_coding::decode_body;
use super::continuation::{continuation_file_data, continuation_needs_more};
use super::message::{HttpKind, HttpMessage};
use crate::reassembly::FollowChunk;

/// Limits of the HTTP parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpOptions {
    /// Cap on a decoded (and on an encoded) body, bytes. Default 64 MiB.
    pub max_body_bytes: usize,
    /// Cap on a message head, bytes. Default 64 KiB.
    pub max_head_bytes: usize,
    /// Keep each message's body bytes (`HttpMessage::body`); when false only their length and
    /// hash are kept, so a caller that needs no bodies holds none (at most one body is alive,
    /// while it is hashed). Default true.
    pub keep_bodies: bool,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            max_body_bytes: 64 << 20,
            max_head_bytes: 64 << 10,
            keep_bodies: true,
        }
    }
}

/// True when `b` starts like a request line: a method token (an uppercase letter, then uppercase
/// letters, digits, `_` or `-`) and a space; when the whole line is there it must end in an
/// `HTTP/` version. Custom methods (`CCM_POST`) count, as they do for tshark.
fn starts_request(b: &[u8]) -> bool {
    let token = b
        .iter()
        .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || **c == b'_' || **c == b'-')
        .count();
    if token == 0
        || token > 32
        || !b.first().is_some_and(u8::is_ascii_uppercase)
        || b.get(token) != Some(&b' ')
    {
        return false;
    }
    match b.iter().position(|&c| c == b'\n') {
        Some(end) => b
            .get(..end)
            .is_some_and(|line| line.windows(5).any(|w| w == b"HTTP/")),
        None => true,
    }
}

fn starts_response(b: &[u8]) -> bool {
    b.starts_with(b"HTTP/1.") || (b.len() < 7 && b"HTTP/1.".starts_with(b))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ChunkStep {
    Size,
    Data(u64),
    DataEnd,
    Trailer,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Head,
    Fixed(u64),
    Chunked(ChunkStep),
    UntilClose,
    /// After a gap: waiting for a line that starts a message.
    Lost,
    /// After CONNECT / Upgrade: not HTTP any more.
    Opaque,
}

/// A message whose body is being read.
#[derive(Debug)]
struct Building {
    msg: HttpMessage,
    raw: Vec<u8>,
    raw_over_cap: bool,
    incomplete: bool,
}

/// One direction of the stream.
#[derive(Debug)]
struct Side {
    state: State,
    buf: Vec<u8>,
    /// (frame, bytes) of the bytes in `buf`, in order.
    spans: VecDeque<(u32, usize)>,
    building: Option<Building>,
    last_frame: u32,
}

impl Default for Side {
    fn default() -> Self {
        Self {
            state: State::Head,
            buf: Vec::new(),
            spans: VecDeque::new(),
            building: None,
            last_frame: 0,
        }
    }
}

impl Side {
    fn front_frame(&self) -> u32 {
        self.spans.front().map_or(self.last_frame, |s| s.0)
    }

    /// Removes `n` bytes from the front of the buffer; returns the frame of the last one.
    fn consume(&mut self, n: usize) -> u32 {
        let n = n.min(self.buf.len());
        self.buf.drain(..n);
        let mut left = n;
        let mut last = self.front_frame();
        while left > 0 {
            let Some(front) = self.spans.front_mut() else {
                break;
            };
            last = front.0;
            if front.1 <= left {
                left -= front.1;
                self.spans.pop_front();
            } else {
                front.1 -= left;
                left = 0;
            }
        }
        last
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.spans.clear();
    }
}

/// What a request leaves for the response that answers it.
#[derive(Clone, Debug)]
struct PendingRequest {
    method: String,
    host: String,
    uri: String,
}

/// Incremental HTTP parser of one TCP stream; feed follow chunks (both directions) in order.
#[derive(Debug)]
pub struct HttpStreamParser {
    stream: u32,
    options: HttpOptions,
    sides: [Side; 2],
    /// Which side sends requests, once known.
    request_side: Option<usize>,
    requests: VecDeque<PendingRequest>,
    done: Vec<HttpMessage>,
    not_http: bool,
    /// Whether each direction has sent data.
    started: [bool; 2],
    /// Record tshark's continuation segments ([`HttpKind::Continuation`]).
    continuations: bool,
    /// A request head was parsed (tshark shows continuations only after one).
    seen_request: bool,
    /// Per direction: a continuation without a line end that tshark holds back to dissect with
    /// the next segment (at most `max_head_bytes`).
    held_continuation: [Vec<u8>; 2],
    /// The current chunk was already judged as a continuation (tshark: one per segment).
    chunk_judged: bool,
}

fn find_head_end(b: &[u8]) -> Option<usize> {
    let crlf = b.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4);
    let lf = b.windows(2).position(|w| w == b"\n\n").map(|p| p + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn line_end(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n').map(|p| p + 1)
}

impl HttpStreamParser {
    /// A parser for `stream`.
    pub fn new(stream: u32, options: HttpOptions) -> Self {
        Self {
            stream,
            options,
            sides: [Side::default(), Side::default()],
            request_side: None,
            requests: VecDeque::new(),
            done: Vec::new(),
            not_http: false,
            started: [false; 2],
            continuations: false,
            seen_request: false,
            held_continuation: [Vec::new(), Vec::new()],
            chunk_judged: false,
        }
    }

    /// Also records tshark's "HTTP continuation" segments: the bytes of a chunk that arrives while
    /// the parser is lost (after a gap) or that cannot start a message, as tshark's file data.
    /// Meant for chunks of the tshark view ([`super::tshark_view`]).
    pub fn with_continuations(mut self) -> Self {
        self.continuations = true;
        self
    }

    /// Records a continuation message of `bytes` of direction `d` (if tshark shows file data for
    /// them), or holds them back when tshark would wait for the next segment.
    fn continuation(&mut self, d: usize, frame: u32, bytes: &[u8]) {
        if !self.continuations || !self.seen_request || self.chunk_judged {
            return;
        }
        self.chunk_judged = true;
        if continuation_needs_more(bytes) {
            if bytes.len() <= self.options.max_head_bytes {
                if let Some(held) = self.held_continuation.get_mut(d) {
                    held.clear();
                    held.extend_from_slice(bytes);
                }
            }
            return;
        }
        let Some(data) = continuation_file_data(bytes) else {
            return;
        };
        let data = data
            .get(..data.len().min(self.options.max_body_bytes))
            .unwrap_or(&[]);
        self.done.push(HttpMessage {
            body_len: Some(data.len() as u64),
            body_sha256: Some(hex(&Sha256::digest(data))),
            truncated: data.len() < bytes.len() && data.len() == self.options.max_body_bytes,
            body: self.options.keep_bodies.then(|| data.to_vec()),
            ..HttpMessage::empty(self.stream, HttpKind::Continuation, frame, frame)
        });
    }

    /// False once the stream's first bytes showed it is not HTTP (further input is ignored).
    pub fn is_http(&self) -> bool {
        !self.not_http
    }

    /// Feeds one follow chunk.
    pub fn push(&mut self, chunk: &FollowChunk) {
        if self.not_http {
            return;
        }
        let d = usize::from(chunk.dir.min(1));
        if let Some(gap) = chunk.gap_before {
            self.gap(d, gap.missing);
        }
        self.chunk_judged = false;
        let held = std::mem::take(&mut self.held_continuation[d]);
        if !held.is_empty() && chunk.gap_before.is_none() {
            // tshark dissects the held-back bytes together with this segment.
            let mut merged = held;
            merged.extend_from_slice(&chunk.bytes);
            self.continuation(d, chunk.frame, &merged);
        } else if self.sides[d].state == State::Lost && self.request_side.is_some() {
            self.continuation(d, chunk.frame, &chunk.bytes);
        }
        let first_data =
            self.sides[d].spans.is_empty() && !self.started[d] && !chunk.bytes.is_empty();
        if first_data {
            self.started[d] = true;
        }
        let side = &mut self.sides[d];
        side.buf.extend_from_slice(&chunk.bytes);
        side.spans.push_back((chunk.frame, chunk.bytes.len()));
        side.last_frame = chunk.frame;
        if self.request_side.is_none() {
            // Roles come from the first bytes of either direction: a status line makes the other side
            // the client, a request line this one.
            let b = &self.sides[d].buf;
            if starts_response(b) && b.len() >= 7 {
                self.request_side = Some(1 - d);
            } else if starts_request(b) {
                self.request_side = Some(d);
            } else if (first_data && self.started[1 - d])
                || self.sides[d].buf.len() > self.options.max_head_bytes
            {
                self.not_http = true;
                return;
            } else if first_data {
                return;
            }
            if self.request_side.is_none() {
                return;
            }
            self.run(1 - d, false);
        }
        self.run(d, false);
    }

    /// Signals the end of the stream; returns every message found, in order of completion.
    pub fn finish(self) -> Vec<HttpMessage> {
        self.finish_with_fin([None, None])
    }

    /// As [`Self::finish`], knowing the frame of each direction's first FIN: a body delimited by
    /// the connection's close ends there (tshark reports such a message in the FIN's frame).
    pub fn finish_with_fin(mut self, fin_frames: [Option<u32>; 2]) -> Vec<HttpMessage> {
        for (d, fin) in fin_frames.iter().enumerate() {
            self.run(d, true);
            let side = &mut self.sides[d];
            if let Some(mut b) = side.building.take() {
                let mut frame = side.last_frame;
                if side.state == State::UntilClose {
                    frame = fin.map_or(frame, |f| f.max(frame));
                } else {
                    b.incomplete = true;
                }
                self.complete(b, frame);
            }
        }
        let mut out = self.done;
        out.sort_by_key(|m| m.last_frame);
        out
    }

    fn gap(&mut self, d: usize, missing: u64) {
        let side = &mut self.sides[d];
        match side.state {
            State::Fixed(rem) if missing < rem => {
                side.state = State::Fixed(rem - missing);
                if let Some(b) = side.building.as_mut() {
                    b.incomplete = true;
                }
                return;
            }
            State::UntilClose => {
                if let Some(b) = side.building.as_mut() {
                    b.incomplete = true;
                }
                return;
            }
            State::Opaque => return,
            State::Head if side.buf.is_empty() => {
                side.state = State::Lost;
                return;
            }
            _ => {}
        }
        let frame = side.last_frame;
        side.clear();
        side.state = State::Lost;
        if let Some(mut b) = side.building.take() {
            b.incomplete = true;
            self.complete(b, frame);
        }
    }

    fn run(&mut self, d: usize, at_end: bool) {
        // Every step consumes bytes or changes state; the bound only guards against surprises.
        let mut guard = self.sides[d].buf.len().saturating_mul(4).saturating_add(64);
        while guard > 0 {
            guard -= 1;
            if !self.step(d, at_end) {
                break;
            }
        }
    }

    /// One parsing step; false when more input is needed.
    fn step(&mut self, d: usize, at_end: bool) -> bool {
        let cap = self.options.max_body_bytes;
        let side = &mut self.sides[d];
        match side.state {
            State::Opaque => {
                side.clear();
                false
            }
            State::Lost => {
                // Candidates: the start of every line and of every segment.
                let is_req = self.request_side == Some(d);
                let mut candidates: Vec<usize> = vec![0];
                candidates.extend(
                    side.buf
                        .iter()
                        .enumerate()
                        .filter(|(_, &c)| c == b'\n')
                        .map(|(i, _)| i + 1),
                );
                let mut at = 0usize;
                for &(_, len) in &side.spans {
                    at = at.saturating_add(len);
                    candidates.push(at);
                }
                candidates.sort_unstable();
                candidates.dedup();
                for &pos in &candidates {
                    let rest = side.buf.get(pos..).unwrap_or(&[]);
                    if rest.len() < 8 {
                        continue;
                    }
                    if (is_req && starts_request(rest)) || (!is_req && starts_response(rest)) {
                        side.consume(pos);
                        side.state = State::Head;
                        return true;
                    }
                }
                // Keep only a possible partial start line at the end.
                let keep = side.buf.len().min(8);
                let drop = side.buf.len() - keep;
                side.consume(drop);
                false
            }
            State::Head => {
                // Skip blank lines between messages.
                let blank = side
                    .buf
                    .iter()
                    .take_while(|&&c| c == b'\r' || c == b'\n')
                    .count();
                if blank > 0 {
                    side.consume(blank);
                }
                if side.buf.is_empty() {
                    return false;
                }
                let is_req = self.request_side == Some(d);
                let plausible = if is_req {
                    starts_request(&side.buf)
                } else {
                    starts_response(&side.buf)
                };
                if !plausible {
                    if side.buf.len() >= 8 {
                        side.state = State::Lost;
                        if self.continuations {
                            let frame = side.front_frame();
                            let bytes = std::mem::take(&mut self.sides[d].buf);
                            self.continuation(d, frame, &bytes);
                            self.sides[d].buf = bytes;
                        }
                        return true;
                    }
                    return false;
                }
                let Some(end) = find_head_end(&side.buf) else {
                    if side.buf.len() > self.options.max_head_bytes {
                        side.clear();
                        side.state = State::Lost;
                        return true;
                    }
                    return false;
                };
                let first_frame = side.front_frame();
                let head = side.buf.get(..end).unwrap_or(&[]).to_vec();
                let last_frame = side.consume(end);
                self.head(d, &head, first_frame, last_frame);
                true
            }
            State::Fixed(rem) => {
                if side.buf.is_empty() {
                    return false;
                }
                let take = usize::try_from(rem)
                    .unwrap_or(usize::MAX)
                    .min(side.buf.len());
                if let Some(b) = side.building.as_mut() {
                    push_capped(b, side.buf.get(..take).unwrap_or(&[]), cap);
                }
                let frame = side.consume(take);
                let rem = rem - take as u64;
                side.state = State::Fixed(rem);
                if rem == 0 {
                    side.state = State::Head;
                    if let Some(b) = side.building.take() {
                        self.complete(b, frame);
                    }
                }
                true
            }
            State::UntilClose => {
                let n = side.buf.len();
                if n == 0 {
                    return false;
                }
                if let Some(b) = side.building.as_mut() {
                    push_capped(b, &side.buf, cap);
                }
                side.consume(n);
                false
            }
            State::Chunked(step) => self.chunk_step(d, step, at_end),
        }
    }

    fn chunk_step(&mut self, d: usize, step: ChunkStep, _at_end: bool) -> bool {
        let cap = self.options.max_body_bytes;
        let side = &mut self.sides[d];
        match step {
            ChunkStep::Size => {
                let Some(n) = line_end(&side.buf) else {
                    if side.buf.len() > 1024 {
                        side.state = State::Lost;
                    }
                    return side.state == State::Lost;
                };
                let line = String::from_utf8_lossy(side.buf.get(..n).unwrap_or(&[])).into_owned();
                let hex = line
                    .trim()
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string();
                side.consume(n);
                match u64::from_str_radix(&hex, 16) {
                    Ok(0) => side.state = State::Chunked(ChunkStep::Trailer),
                    Ok(size) => side.state = State::Chunked(ChunkStep::Data(size)),
                    Err(_) => {
                        let frame = side.last_frame;
                        side.state = State::Lost;
                        if let Some(mut b) = side.building.take() {
                            b.incomplete = true;
                            self.complete(b, frame);
                        }
                    }
                }
                true
            }
            ChunkStep::Data(rem) => {
                if side.buf.is_empty() {
                    return false;
                }
                let take = usize::try_from(rem)
                    .unwrap_or(usize::MAX)
                    .min(side.buf.len());
                if let Some(b) = side.building.as_mut() {
                    push_capped(b, side.buf.get(..take).unwrap_or(&[]), cap);
                }
                side.consume(take);
                let rem = rem - take as u64;
                side.state = State::Chunked(if rem == 0 {
                    ChunkStep::DataEnd
                } else {
                    ChunkStep::Data(rem)
                });
                true
            }
            ChunkStep::DataEnd => {
                let Some(n) = line_end(&side.buf) else {
                    return false;
                };
                side.consume(n);
                side.state = State::Chunked(ChunkStep::Size);
                true
            }
            ChunkStep::Trailer => {
                let Some(n) = line_end(&side.buf) else {
                    return false;
                };
                let empty = side
                    .buf
                    .get(..n)
                    .is_some_and(|l| l.iter().all(|&c| c == b'\r' || c == b'\n'));
                let frame = side.consume(n);
                if empty {
                    side.state = State::Head;
                    if let Some(b) = side.building.take() {
                        self.complete(b, frame);
                    }
                }
                true
            }
        }
    }

    /// Parses a complete head and sets up the body.
    fn head(&mut self, d: usize, head: &[u8], first_frame: u32, last_frame: u32) {
        let mut storage = vec![httparse::EMPTY_HEADER; 256];
        let is_request_side = self.request_side == Some(d);
        let kind = if is_request_side {
            HttpKind::Request
        } else {
            HttpKind::Response
        };
        let mut msg = HttpMessage::empty(self.stream, kind, first_frame, last_frame);
        let strict = if is_request_side {
            let mut req = httparse::Request::new(&mut storage);
            match req.parse(head) {
                Ok(httparse::Status::Complete(_)) => {
                    msg.method = req.method.map(str::to_string);
                    msg.uri = req.path.map(str::to_string);
                    Some(header_pairs(req.headers))
                }
                _ => None,
            }
        } else {
            let mut resp = httparse::Response::new(&mut storage);
            match resp.parse(head) {
                Ok(httparse::Status::Complete(_)) => {
                    msg.status = resp.code;
                    Some(header_pairs(resp.headers))
                }
                _ => None,
            }
        };
        match strict.or_else(|| lenient_head(head, is_request_side, &mut msg)) {
            Some(headers) => msg.headers = headers,
            None => {
                self.sides[d].state = State::Lost;
                return;
            }
        }
        msg.content_encoding = msg.header("content-encoding").map(str::to_string);
        msg.transfer_encoding = msg.header("transfer-encoding").map(str::to_string);
        let chunked = msg.transfer_encoding.as_deref().is_some_and(|t| {
            t.to_ascii_lowercase()
                .split(',')
                .any(|x| x.trim() == "chunked")
        });
        let length = msg
            .header("content-length")
            .and_then(|v| v.trim().parse::<u64>().ok());
        let state = if is_request_side {
            // tshark's HTTP dissector only takes HTTP/1.x request lines (an HTTP/2 preface
            // `PRI * HTTP/2.0` is not HTTP to it), so only those make later bytes continuations.
            let request_line = head.split(|&c| c == b'\n').next().unwrap_or(&[]);
            let request_line = request_line.strip_suffix(b"\r").unwrap_or(request_line);
            if request_line.ends_with(b" HTTP/1.0") || request_line.ends_with(b" HTTP/1.1") {
                self.seen_request = true;
            }
            let method = msg.method.clone().unwrap_or_default();
            let host = msg.header("host").unwrap_or("").to_string();
            self.requests.push_back(PendingRequest {
                method,
                host,
                uri: msg.uri.clone().unwrap_or_default(),
            });
            if chunked {
                State::Chunked(ChunkStep::Size)
            } else {
                match length {
                    Some(0) | None => State::Head,
                    Some(n) => State::Fixed(n),
                }
            }
        } else {
            let status = msg.status.unwrap_or(0);
            let request = if (100..200).contains(&status) {
                None
            } else {
                self.requests.pop_front()
            };
            let head_request = request
                .as_ref()
                .is_some_and(|r| r.method.eq_ignore_ascii_case("HEAD"));
            let connect = request
                .as_ref()
                .is_some_and(|r| r.method.eq_ignore_ascii_case("CONNECT"));
            msg.request_target = request.map(|r| (r.host, r.uri));
            if status == 101 || (connect && (200..300).contains(&status)) {
                State::Opaque
            } else if (100..200).contains(&status) || status == 204 || status == 304 || head_request
            {
                State::Head
            } else if chunked {
                State::Chunked(ChunkStep::Size)
            } else {
                match length {
                    Some(0) => State::Head,
                    Some(n) => State::Fixed(n),
                    None => State::UntilClose,
                }
            }
        };
        let side = &mut self.sides[d];
        side.state = state;
        let building = Building {
            msg,
            raw: Vec::new(),
            raw_over_cap: false,
            incomplete: false,
        };
        if state == State::Head || state == State::Opaque {
            self.complete(building, last_frame);
        } else {
            self.sides[d].building = Some(building);
        }
    }

    /// Decodes the body and records the message.
    fn complete(&mut self, b: Building, last_frame: u32) {
        let mut msg = b.msg;
        msg.last_frame = last_frame.max(msg.first_frame);
        if !b.raw.is_empty() && !b.incomplete {
            let encoded = msg.content_encoding.is_some();
            if !(b.raw_over_cap && encoded) {
                if let Ok(decoded) = decode_body(
                    msg.content_encoding.as_deref(),
                    &b.raw,
                    self.options.max_body_bytes,
                ) {
                    if !decoded.bytes.is_empty() {
                        msg.truncated = decoded.truncated || b.raw_over_cap;
                        msg.body_len = Some(decoded.bytes.len() as u64);
                        msg.body_sha256 = Some(hex(&Sha256::digest(&decoded.bytes)));
                        msg.body = self.options.keep_bodies.then_some(decoded.bytes);
                    }
                }
            } else {
                msg.truncated = true;
            }
        }
        self.done.push(msg);
    }
}

fn header_pairs(headers: &[httparse::Header]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect()
}

/// A forgiving head parser for what httparse rejects but tshark shows (a space inside the request
/// target, odd header lines): the start line is split at spaces, header lines at the first colon;
/// lines without a colon are skipped. None when even the start line is not recognisable.
fn lenient_head(
    head: &[u8],
    request: bool,
    msg: &mut HttpMessage,
) -> Option<Vec<(String, String)>> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let start = lines.next()?;
    let mut parts = start.split(' ').filter(|p| !p.is_empty());
    if request {
        let method = parts.next()?;
        if !starts_request(format!("{method} ").as_bytes()) {
            return None;
        }
        msg.method = Some(method.to_string());
        msg.uri = parts.next().map(str::to_string);
    } else {
        let version = parts.next()?;
        if !version.starts_with("HTTP/") {
            return None;
        }
        msg.status = Some(parts.next()?.parse().ok()?);
    }
    Some(
        lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            .filter(|(n, _)| !n.is_empty())
            .collect(),
    )
}

fn push_capped(b: &mut Building, data: &[u8], cap: usize) {
    let room = cap.saturating_sub(b.raw.len());
    if data.len() > room {
        b.raw_over_cap = true;
    }
    b.raw
        .extend_from_slice(data.get(..room.min(data.len())).unwrap_or(&[]));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// tshark's continuation messages of one stream given as chunks of the tshark view.
pub fn continuation_messages_of_chunks<I: IntoIterator<Item = FollowChunk>>(
    stream: u32,
    chunks: I,
    options: HttpOptions,
) -> Vec<HttpMessage> {
    let mut p = HttpStreamParser::new(stream, options).with_continuations();
    for c in chunks {
        p.push(&c);
        if !p.is_http() {
            return Vec::new();
        }
    }
    let mut out = p.finish();
    out.retain(|m| m.kind == HttpKind::Continuation);
    out
}

/// Every message of one stream given as follow chunks.
pub fn http_messages_of_chunks<I: IntoIterator<Item = FollowChunk>>(
    stream: u32,
    chunks: I,
    options: HttpOptions,
) -> Vec<HttpMessage> {
    let mut p = HttpStreamParser::new(stream, options);
    for c in chunks {
        p.push(&c);
        if !p.is_http() {
            return Vec::new();
        }
    }
    p.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reassembly::Gap;
    use proptest::prelude::*;

    fn chunk(frame: u32, dir: u8, bytes: &[u8], gap: Option<u64>) -> FollowChunk {
        FollowChunk {
            frame,
            ts_ns: 0,
            dir,
            bytes: bytes.to_vec(),
            gap_before: gap.map(|missing| Gap {
                missing,
                revealed_by_frame: frame,
            }),
        }
    }

    #[test]
    fn without_bodies_messages_keep_length_and_hash_only() {
        let body = b"<html>kept or not</html>\n";
        let response = [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 25\r\n\r\n"[..],
            &body[..],
        ]
        .concat();
        let whole = vec![
            chunk(1, 0, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", None),
            chunk(2, 1, &response, None),
        ];
        // A body after a gap in a stream that has a request: a tshark continuation.
        let after_gap = vec![
            chunk(1, 0, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", None),
            chunk(2, 1, body, Some(100)),
        ];
        let messages = |options: HttpOptions| {
            [
                http_messages_of_chunks(0, whole.clone(), options),
                continuation_messages_of_chunks(0, after_gap.clone(), options),
            ]
            .concat()
        };
        let with = messages(HttpOptions::default());
        let without = messages(HttpOptions {
            keep_bodies: false,
            ..HttpOptions::default()
        });
        // A response body and a continuation's body were kept, and are the only difference.
        assert_eq!(with.iter().filter(|m| m.body.is_some()).count(), 2);
        assert!(without.iter().all(|m| m.body.is_none()));
        let strip = |m: &HttpMessage| HttpMessage {
            body: None,
            ..m.clone()
        };
        assert_eq!(without, with.iter().map(strip).collect::<Vec<_>>());
        assert!(without
            .iter()
            .any(|m| m.body_len == Some(body.len() as u64)));
    }

    #[test]
    fn continuation_after_a_gap_only_once_a_request_was_seen() {
        let body = b"<html>lost\nresponse body</html>\n";
        let chunks = vec![
            chunk(1, 1, body, None),
            chunk(2, 0, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", None),
            chunk(3, 1, body, Some(100)),
            chunk(4, 1, b"\x1f\x8bbinary", Some(5)),
        ];
        let all = continuation_messages_of_chunks(7, chunks.clone(), HttpOptions::default());
        // Frame 1 came before any request; frame 4 starts with a binary byte.
        assert_eq!(all.len(), 1);
        let c = &all[0];
        assert_eq!(
            (c.kind, c.stream, c.last_frame),
            (HttpKind::Continuation, 7, 3)
        );
        assert_eq!(c.body.as_deref(), Some(&body[..]));
        assert_eq!(c.body_len, Some(body.len() as u64));
        // The plain parser never reports continuations.
        let plain = http_messages_of_chunks(7, chunks, HttpOptions::default());
        assert!(plain.iter().all(|m| m.kind != HttpKind::Continuation));
    }

    #[test]
    fn continuation_of_bytes_after_a_complete_message() {
        let chunks = vec![
            chunk(1, 0, b"GET / HTTP/1.1\r\n\r\n", None),
            chunk(
                2,
                1,
                b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokstray text\n",
                None,
            ),
        ];
        let all = continuation_messages_of_chunks(0, chunks, HttpOptions::default());
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].body.as_deref(), Some(&b"stray text\n"[..]));
    }

    #[test]
    fn continuation_without_line_end_waits_for_the_next_segment() {
        let chunks = vec![
            chunk(1, 0, b"GET / HTTP/1.1\r\n\r\n", None),
            chunk(2, 1, b"text without end ", Some(50)),
            chunk(3, 0, b"\r\n", None),
            chunk(4, 1, b"more\nlast", None),
            // Held back again, then a gap: tshark never shows it.
            chunk(5, 1, b"no end", Some(9)),
            chunk(6, 1, b"after\n", Some(9)),
        ];
        let all = continuation_messages_of_chunks(0, chunks, HttpOptions::default());
        let got: Vec<(u32, &[u8])> = all
            .iter()
            .map(|m| (m.last_frame, m.body.as_deref().unwrap_or(&[])))
            .collect();
        assert_eq!(
            got,
            vec![
                (4, &b"text without end more\nlast"[..]),
                (6, &b"after\n"[..])
            ]
        );
    }

    #[test]
    fn head_split_across_segments_and_resync_after_gap() {
        let chunks = vec![
            chunk(1, 0, b"GET /a HTT", None),
            chunk(2, 0, b"P/1.1\r\nHost: x\r\n\r\n", None),
            chunk(
                3,
                1,
                b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab",
                None,
            ),
            chunk(4, 1, b"cd", None),
            chunk(5, 0, b"GET /b HTTP/1.1\r\n\r\n", None),
            chunk(
                7,
                1,
                b"garbage after a gap\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
                Some(100),
            ),
        ];
        let m = http_messages_of_chunks(9, chunks, HttpOptions::default());
        assert_eq!(m.len(), 4);
        assert_eq!(
            (m[0].first_frame, m[0].last_frame, m[0].uri.as_deref()),
            (1, 2, Some("/a"))
        );
        assert_eq!(
            (m[1].first_frame, m[1].last_frame, m[1].body_len),
            (3, 4, Some(4))
        );
        assert_eq!(m[3].status, Some(404));
        assert_eq!(m[3].request_target, Some((String::new(), "/b".to_string())));
    }

    #[test]
    fn lenient_head_when_httparse_refuses() {
        let chunks = vec![
            chunk(1, 0, b"GET /Hello Arkime HTTP/1.0\r\n\r\n", None),
            chunk(
                2,
                1,
                b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX Bad Header\r\n\r\nabc",
                None,
            ),
        ];
        let m = http_messages_of_chunks(0, chunks, HttpOptions::default());
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[0].method.as_deref(), m[0].uri.as_deref()),
            (Some("GET"), Some("/Hello"))
        );
        assert_eq!(m[1].body_len, Some(3));
        assert_eq!(
            m[1].headers,
            vec![("Content-Length".to_string(), "3".to_string())]
        );
    }

    #[test]
    fn not_http_is_abandoned() {
        let m = http_messages_of_chunks(
            0,
            vec![
                chunk(1, 0, b"\x16\x03\x01\x00\x05hello", None),
                chunk(2, 1, b"\x16\x03\x03", None),
            ],
            HttpOptions::default(),
        );
        assert!(m.is_empty());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(parts in proptest::collection::vec((any::<bool>(), proptest::collection::vec(any::<u8>(), 0..200), proptest::option::of(0u64..5000)), 0..30)) {
            let mut chunks = vec![chunk(1, 0, b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip, br\r\n\r\n", None)];
            chunks.extend(parts.iter().enumerate().map(|(i, (d, b, g))| chunk(i as u32 + 2, u8::from(*d), b, *g)));
            let _ = http_messages_of_chunks(0, chunks, HttpOptions { max_body_bytes: 1000, max_head_bytes: 500, keep_bodies: true });
        }
    }

    #[test]
    fn http2_preface_is_no_request_for_continuations() {
        let chunks = vec![chunk(
            1,
            0,
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04",
            None,
        )];
        assert!(continuation_messages_of_chunks(0, chunks, HttpOptions::default()).is_empty());
    }
}
