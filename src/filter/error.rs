//! [`FilterError`]: what is wrong with a display filter and where, rendered the way tshark prints
//! it (the message, the filter, a caret line under the offending token).

/// A filter that does not compile. `position` and `length` count characters (not bytes) of the
/// filter text, like Wireshark's red filter bar marks them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError {
    /// Character index of the offending token's first character.
    pub position: usize,
    /// Length of the offending token in characters (0 at the end of the filter).
    pub length: usize,
    /// tshark-like description.
    pub message: String,
}

impl FilterError {
    /// An error covering the bytes `start..end` of `text`, converted to character positions.
    pub(crate) fn at(text: &str, start: usize, end: usize, message: String) -> Self {
        let start = start.min(text.len());
        let end = end.clamp(start, text.len());
        let position = text.get(..start).map_or(0, |s| s.chars().count());
        let length = text.get(start..end).map_or(0, |s| s.chars().count());
        Self {
            position,
            length,
            message,
        }
    }

    /// The "unexpected end" error tshark reports without a caret line.
    pub(crate) fn unexpected_end(text: &str) -> Self {
        Self {
            position: text.chars().count(),
            length: 0,
            message: "Unexpected end of filter expression.".into(),
        }
    }

    /// The message, then (unless the error is at the end) the filter indented by four spaces and a
    /// caret line `^~~~` under the offending token, as tshark prints it.
    pub fn render(&self, text: &str) -> String {
        if self.length == 0 {
            return self.message.clone();
        }
        let mut s = format!("{}\n    {}\n    ", self.message, text);
        // Keep tabs so the caret lines up under them.
        for c in text.chars().take(self.position) {
            s.push(if c == '\t' { '\t' } else { ' ' });
        }
        s.push('^');
        for _ in 1..self.length {
            s.push('~');
        }
        s
    }
}

impl std::fmt::Display for FilterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at character {})", self.message, self.position)
    }
}

impl std::error::Error for FilterError {}
