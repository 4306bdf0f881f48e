//! The HTTP message DTO (`tracematch http --json`, the page's "Follow HTTP" tab).

use serde::Serialize;

/// Request or response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HttpKind {
    /// A request.
    Request,
    /// A response.
    Response,
    /// tshark's "HTTP continuation": segment bytes tshark could not place in a message, of which it
    /// still shows a part as file data ([`super::continuation`]); only the body fields are set.
    Continuation,
}

/// One HTTP/1.x message of a TCP stream.
///
/// `body_len` / `body_sha256` describe the entity body after de-chunking and content decoding;
/// both are None when there is no body, when part of it is missing from the capture, or when it
/// could not be decoded. `truncated` is true when the decoded body exceeded the size cap (then the
/// length and hash cover the first cap bytes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HttpMessage {
    /// `tcp.stream`.
    pub stream: u32,
    /// Request or response.
    pub kind: HttpKind,
    /// Frame of the message's first byte.
    pub first_frame: u32,
    /// Frame of the message's last byte.
    pub last_frame: u32,
    /// Request method.
    pub method: Option<String>,
    /// Request target.
    pub uri: Option<String>,
    /// Response status code.
    pub status: Option<u16>,
    /// Header fields in order, as `[name, value]`.
    pub headers: Vec<(String, String)>,
    /// The `Content-Encoding` value, if any.
    pub content_encoding: Option<String>,
    /// The `Transfer-Encoding` value, if any.
    pub transfer_encoding: Option<String>,
    /// Decoded body length.
    pub body_len: Option<u64>,
    /// Lowercase hex SHA-256 of the decoded body.
    pub body_sha256: Option<String>,
    /// The decoded body hit the size cap.
    pub truncated: bool,
    /// The decoded body (kept for export and display; not serialised).
    #[serde(skip)]
    pub body: Option<Vec<u8>>,
    /// For a response: the `Host` and target of the request it answers (for export objects).
    #[serde(skip)]
    pub request_target: Option<(String, String)>,
}

impl HttpMessage {
    /// A message of `kind` in `stream` spanning `first_frame..=last_frame`, with no head fields
    /// and no body yet (the parser fills them in).
    pub fn empty(stream: u32, kind: HttpKind, first_frame: u32, last_frame: u32) -> Self {
        HttpMessage {
            stream,
            kind,
            first_frame,
            last_frame,
            method: None,
            uri: None,
            status: None,
            headers: Vec::new(),
            content_encoding: None,
            transfer_encoding: None,
            body_len: None,
            body_sha256: None,
            truncated: false,
            body: None,
            request_target: None,
        }
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}
