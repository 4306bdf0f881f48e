//! tshark-compatible field names and value formats (`tshark -n -T fields`), from a decoded frame.
