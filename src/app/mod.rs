//! Application analyzers that consume reassembled stream bytes: HTTP/1.x messages and bodies
//! ([`http`]) and the TLS handshake summary ([`tls`]).

pub mod http;
pub mod tls;
