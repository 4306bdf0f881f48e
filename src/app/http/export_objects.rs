//! Export objects: every HTTP body (as Wireshark's File → Export Objects → HTTP list).

use serde::Serialize;

use super::message::{HttpKind, HttpMessage};

/// One exportable body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HttpObject {
    /// `tcp.stream`.
    pub stream: u32,
    /// Frame that ends the message carrying the body.
    pub frame: u32,
    /// Host (the request's `Host` header).
    pub host: String,
    /// Request target.
    pub path: String,
    /// `Content-Type` of the message.
    pub content_type: String,
    /// Decoded size in bytes.
    pub size: u64,
    /// A file name derived from the path (last segment, sanitised; `object` when empty), unique
    /// within the list.
    pub filename: String,
}

fn sanitise(path: &str) -> String {
    let no_query = path.split(['?', '#']).next().unwrap_or("");
    let last = no_query.rsplit('/').next().unwrap_or("");
    let clean: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let clean = clean.trim_start_matches('.').to_string();
    if clean.is_empty() {
        "object".to_string()
    } else {
        clean
    }
}

/// The bodies of `messages` (requests with bodies and responses), in the order given, with unique
/// file names. Pass the same messages to [`object_body`] to get one body back.
pub fn export_objects(messages: &[HttpMessage]) -> Vec<HttpObject> {
    let mut used = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for m in messages {
        let Some(body) = exported_body(m) else {
            continue;
        };
        let (host, path) = match m.kind {
            HttpKind::Request => (
                m.header("host").unwrap_or("").to_string(),
                m.uri.clone().unwrap_or_default(),
            ),
            HttpKind::Response => m.request_target.clone().unwrap_or_default(),
            HttpKind::Continuation => continue,
        };
        let base = sanitise(&path);
        let mut name = base.clone();
        let mut n = 1;
        while !used.insert(name.clone()) {
            n += 1;
            name = format!("{base}({n})");
        }
        out.push(HttpObject {
            stream: m.stream,
            frame: m.last_frame,
            host,
            path,
            content_type: m.header("content-type").unwrap_or("").to_string(),
            size: body.len() as u64,
            filename: name,
        });
    }
    out
}

/// The body `m` contributes to the export: requests' and responses' bodies, never tshark's
/// continuation fragments.
pub fn exported_body(m: &HttpMessage) -> Option<&[u8]> {
    match m.kind {
        HttpKind::Continuation => None,
        HttpKind::Request | HttpKind::Response => m.body.as_deref(),
    }
}

/// The body of the `index`-th object of [`export_objects`] over the same messages.
pub fn object_body(messages: &[HttpMessage], index: usize) -> Option<&[u8]> {
    messages.iter().filter_map(exported_body).nth(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_unique() {
        assert_eq!(sanitise("/a/b/../x.png?q=1"), "x.png");
        assert_eq!(sanitise("/"), "object");
        assert_eq!(sanitise("/..%2f..%2fetc%2fpasswd"), "_2f.._2fetc_2fpasswd");
        assert_eq!(sanitise("/.hidden"), "hidden");
    }
}
