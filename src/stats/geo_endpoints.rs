//! Endpoints with their place in the world: each [`EndpointRow`] with the country and AS a
//! [`GeoDatabase`] gives its address, and the bytes per country (each endpoint's bytes counted for
//! its country, as the endpoints table counts them), largest first.

use serde::Serialize;

use super::geoip::{GeoDatabase, GeoInfo};
use super::EndpointRow;

/// One endpoint and where it is.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GeoEndpointRow {
    /// The endpoint's counters.
    #[serde(flatten)]
    pub endpoint: EndpointRow,
    /// Where its address is.
    #[serde(flatten)]
    pub geo: GeoInfo,
}

/// Packets and bytes of the endpoints of one country.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CountryTotal {
    /// ISO country code, or "" for addresses the database does not place.
    pub country: String,
    /// Endpoints.
    pub endpoints: u64,
    /// Sum of the endpoints' packets.
    pub packets: u64,
    /// Sum of the endpoints' bytes.
    pub bytes: u64,
}

/// Looks up every row's address.
pub fn locate_endpoints(rows: Vec<EndpointRow>, db: &GeoDatabase) -> Vec<GeoEndpointRow> {
    rows.into_iter()
        .map(|endpoint| GeoEndpointRow {
            geo: db.lookup_text(&endpoint.address),
            endpoint,
        })
        .collect()
}

/// Bytes per country, most bytes first (ties: country code order); unknown places as "".
pub fn country_totals(rows: &[GeoEndpointRow]) -> Vec<CountryTotal> {
    let mut totals: std::collections::BTreeMap<&str, CountryTotal> = Default::default();
    for r in rows {
        let country = r.geo.country.as_deref().unwrap_or("");
        let t = totals.entry(country).or_insert_with(|| CountryTotal {
            country: country.to_string(),
            endpoints: 0,
            packets: 0,
            bytes: 0,
        });
        t.endpoints += 1;
        t.packets = t.packets.saturating_add(r.endpoint.packets);
        t.bytes = t.bytes.saturating_add(r.endpoint.bytes);
    }
    let mut out: Vec<CountryTotal> = totals.into_values().collect();
    out.sort_by(|a, b| {
        b.bytes
            .cmp(&a.bytes)
            .then_with(|| a.country.cmp(&b.country))
    });
    out
}
