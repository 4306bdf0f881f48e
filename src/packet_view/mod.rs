//! One frame read back from the capture file for the browsing views: its packet-list row (with
//! Wireshark's default colouring rule) and its packet-details tree with the frame's bytes.
//!
//! The index holds no packet bytes, so [`FrameReader`] reads each frame again through a
//! [`crate::capture::random_access::ByteSource`] and decodes it on its own: an IP fragment is not
//! reassembled here (tshark would show the reassembled datagram on the last fragment).

mod colouring;
mod filtered_conversations;
mod read_back;

pub use colouring::{ColourRule, Colouring, BAD_TCP_FILTER, COLOUR_RULES};
pub use filtered_conversations::{FilteredConversation, FilteredConversations};
pub use read_back::{ColouredRow, FrameDetails, FrameReader};
