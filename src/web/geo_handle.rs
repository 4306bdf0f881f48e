//! [`GeoHandle`]: a MaxMind DB (the site's bundled open database or one the user drops) opened in
//! the worker, placing the endpoints table's addresses (country, AS) and summing bytes per
//! country through [`crate::stats::geoip`] / [`crate::stats::geo_endpoints`]. Glue only; every
//! lookup happens in memory.

use serde::Deserialize;
use wasm_bindgen::prelude::*;

use super::js_value::{to_js, to_js_error};
use crate::stats::{country_totals, locate_endpoints, EndpointRow, GeoDatabase};

/// The endpoint fields the page sends (rows of `StatsHandle::endpoints`).
#[derive(Deserialize)]
struct EndpointIn {
    address: String,
    #[serde(default)]
    packets: u64,
    #[serde(default)]
    bytes: u64,
}

/// An opened database.
#[wasm_bindgen]
pub struct GeoHandle {
    db: GeoDatabase,
}

#[wasm_bindgen]
impl GeoHandle {
    /// Opens the `.mmdb` file in `bytes`.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: Vec<u8>) -> Result<GeoHandle, JsError> {
        super::panic_report::install();
        Ok(GeoHandle {
            db: GeoDatabase::from_bytes(bytes).map_err(to_js_error)?,
        })
    }

    /// The database's type name.
    #[wasm_bindgen(js_name = databaseType)]
    pub fn database_type(&self) -> String {
        self.db.database_type().to_string()
    }

    /// For endpoint rows (JSON array of `{ address, packets, bytes }`):
    /// `{ rows: [{ address, country, asn, as_org, ... }] (same order), countries: [{ country,
    /// endpoints, packets, bytes }] }`, most bytes first.
    pub fn locate(&self, endpoints_json: &str) -> Result<JsValue, JsError> {
        let rows: Vec<EndpointIn> = serde_json::from_str(endpoints_json).map_err(to_js_error)?;
        let rows = rows
            .into_iter()
            .map(|r| EndpointRow {
                address: r.address,
                packets: r.packets,
                bytes: r.bytes,
                ..EndpointRow::default()
            })
            .collect();
        let located = locate_endpoints(rows, &self.db);
        let countries = country_totals(&located);
        #[derive(serde::Serialize)]
        struct Located<'a> {
            rows: &'a [crate::stats::GeoEndpointRow],
            countries: Vec<crate::stats::CountryTotal>,
        }
        to_js(&Located {
            rows: &located,
            countries,
        })
    }
}
