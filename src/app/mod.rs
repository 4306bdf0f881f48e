//! Application analyzers that consume reassembled stream bytes: HTTP/1.x messages and bodies
//! ([`http`]) and the TLS handshake summary ([`tls`]); and QUIC header fields (connection IDs) read
//! from UDP datagrams ([`quic`]).

pub mod http;
pub mod quic;
pub mod tls;
