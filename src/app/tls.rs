//! TLS handshake summary.
