//! Flows: `tcp.stream` / `udp.stream` numbering exactly as tshark 4.0, and conversations.
