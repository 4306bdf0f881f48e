//! tshark 4.0's "HTTP continuation": the bytes of a TCP segment that tshark hands to its HTTP
//! dissector but cannot place in a message (data after a gap, the rest of a body whose head it
//! never saw). tshark still exposes part of them as `http.file_data`; this module computes that
//! part from the segment's bytes.
//!
//! The rule follows `dissect_http_message()` in Wireshark's `epan/dissectors/packet-http.c` (4.0):
//! a leading CRLF is skipped when the segment holds more than 3 bytes; a segment whose next byte is
//! not printable ASCII is shown as plain data (no file data); otherwise the dissector's line loop
//! runs: lines holding a colon are taken for header lines and skipped, a blank line is skipped and
//! ends the loop, any other line ends it (an unterminated such line after a "header" throws, so
//! nothing is shown); whatever follows is the file data. A segment without any line end is
//! desegmented by tshark (merged with the next one) and is not handled here.

/// Whether `line` (without its end) is an HTTP request or status line, as far as tshark's
/// continuation handling cares: `HTTP/1.x` or a request method followed by a space.
fn is_request_or_status_line(line: &[u8]) -> bool {
    const METHODS: [&[u8]; 20] = [
        b"GET ",
        b"POST ",
        b"HEAD ",
        b"PUT ",
        b"DELETE ",
        b"OPTIONS ",
        b"CONNECT ",
        b"TRACE ",
        b"PATCH ",
        b"PROPFIND ",
        b"PROPPATCH ",
        b"MKCOL ",
        b"COPY ",
        b"MOVE ",
        b"LOCK ",
        b"UNLOCK ",
        b"NOTIFY ",
        b"M-SEARCH ",
        b"SUBSCRIBE ",
        b"SEARCH ",
    ];
    line.starts_with(b"HTTP/") || METHODS.iter().any(|m| line.starts_with(m))
}

/// One line from `at`: (length without its end, offset after its end), or None when no line end
/// follows. A line ends at CR LF, a lone LF or a lone CR (`tvb_find_line_end`).
fn line_at(b: &[u8], at: usize) -> Option<(usize, usize)> {
    let rest = b.get(at..)?;
    let eol = rest.iter().position(|&c| c == b'\r' || c == b'\n')?;
    let after = if rest.get(eol) == Some(&b'\r') && rest.get(eol + 1) == Some(&b'\n') {
        eol + 2
    } else {
        eol + 1
    };
    Some((eol, at.saturating_add(after)))
}

/// The offset after tshark's leading-CRLF skip (only for segments longer than 3 bytes).
fn start_of(segment: &[u8]) -> usize {
    if segment.len() > 3 && segment.starts_with(b"\r\n") {
        2
    } else {
        0
    }
}

/// Whether tshark would hold this continuation segment back and dissect it together with the
/// next segment of its direction: it starts with printable text but holds no line end
/// (`req_resp_hdrs_do_reassembly()` asks TCP for one more segment).
pub fn continuation_needs_more(segment: &[u8]) -> bool {
    let at = start_of(segment);
    segment.get(at).is_some_and(|c| (0x20..=0x7e).contains(c)) && line_at(segment, at).is_none()
}

/// The part of a continuation segment tshark 4.0 shows as `http.file_data`, or None when it shows
/// none (binary first byte, a request or status line, no line end at all, nothing left).
pub fn continuation_file_data(segment: &[u8]) -> Option<&[u8]> {
    let mut at = start_of(segment);
    let first = *segment.get(at)?;
    if !(0x20..=0x7e).contains(&first) {
        return None;
    }
    // No line end in the whole segment: tshark asks TCP for more data (header desegmentation).
    let (first_len, _) = line_at(segment, at)?;
    if is_request_or_status_line(segment.get(at..at + first_len)?) {
        return None;
    }
    let mut saw_header = false;
    // Every iteration consumes at least one byte; the bound is the segment length.
    for _ in 0..=segment.len() {
        if at >= segment.len() {
            break;
        }
        let (len, next) = match line_at(segment, at) {
            Some(l) => (l.0, Some(l.1)),
            None => (segment.len() - at, None),
        };
        let line = segment.get(at..at + len)?;
        if is_request_or_status_line(line) {
            // A message start inside the segment: tshark dissects a message, not a continuation.
            return None;
        }
        if len == 0 {
            at = next.unwrap_or(segment.len());
            break;
        }
        if line.contains(&b':') {
            saw_header = true;
            at = next.unwrap_or(segment.len());
            continue;
        }
        if saw_header && next.is_none() {
            return None;
        }
        break;
    }
    segment.get(at..).filter(|rest| !rest.is_empty())
}

#[cfg(test)]
mod tests {
    use super::{continuation_file_data, continuation_needs_more};

    #[test]
    fn binary_first_byte_shows_no_file_data() {
        assert_eq!(continuation_file_data(b"\x8babc\r\ndef"), None);
    }

    #[test]
    fn text_without_colon_is_all_file_data() {
        let seg = b"<!DOCTYPE html>\n<html></html>\n";
        assert_eq!(continuation_file_data(seg), Some(&seg[..]));
    }

    #[test]
    fn colon_lines_are_taken_for_headers() {
        let seg = b"a:b\r\nc: d\r\nrest of data\n";
        assert_eq!(continuation_file_data(seg), Some(&b"rest of data\n"[..]));
        assert_eq!(
            continuation_file_data(b"a:b\r\n\r\nbody"),
            Some(&b"body"[..])
        );
        // An unterminated line after a "header" throws in tshark: nothing shown.
        assert_eq!(continuation_file_data(b"a:b\r\nno end"), None);
        // A "header" running to the end leaves nothing.
        assert_eq!(continuation_file_data(b"x\ny:z"), Some(&b"x\ny:z"[..]));
        assert_eq!(continuation_file_data(b"y:z\nq:r"), None);
    }

    #[test]
    fn leading_crlf_messages_and_no_line_end() {
        assert_eq!(continuation_file_data(b"\r\nabc\n"), Some(&b"abc\n"[..]));
        assert_eq!(continuation_file_data(b"HTTP/1.1 200 OK\r\n\r\n"), None);
        assert_eq!(continuation_file_data(b"no line end here"), None);
        assert!(continuation_needs_more(b"no line end here"));
        assert!(!continuation_needs_more(b"\x00no line end here"));
        assert!(!continuation_needs_more(b"line\n"));
    }
}
