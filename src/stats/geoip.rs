//! Where an address is: country (ISO code) and autonomous system from a MaxMind DB (`.mmdb`) held
//! in memory, read with the `maxminddb` crate. Works with MaxMind's GeoLite2 Country / City / ASN
//! databases (`country.iso_code`, `registered_country.iso_code`, `autonomous_system_number`,
//! `autonomous_system_organization`) and with ip-location-db's country databases
//! (`country_code`). Nothing is looked up anywhere but in the given bytes.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// What a database knows about one address (all fields absent when it knows nothing).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GeoInfo {
    /// ISO 3166-1 alpha-2 country code, e.g. "DE".
    pub country: Option<String>,
    /// Autonomous system number.
    pub asn: Option<u32>,
    /// Autonomous system organisation.
    pub as_org: Option<String>,
}

/// Why a database cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeoError(pub String);

impl std::fmt::Display for GeoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not a usable MaxMind DB: {}", self.0)
    }
}

impl std::error::Error for GeoError {}

#[derive(Deserialize)]
struct Named<'a> {
    #[serde(borrow)]
    iso_code: Option<&'a str>,
}

/// The fields read from a record; everything else in it is ignored.
#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow)]
    country: Option<Named<'a>>,
    #[serde(borrow)]
    registered_country: Option<Named<'a>>,
    country_code: Option<&'a str>,
    autonomous_system_number: Option<u32>,
    autonomous_system_organization: Option<&'a str>,
}

/// An opened database.
pub struct GeoDatabase {
    reader: maxminddb::Reader<Vec<u8>>,
}

impl GeoDatabase {
    /// Opens the database in `bytes` (the whole `.mmdb` file).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<GeoDatabase, GeoError> {
        let reader = maxminddb::Reader::from_source(bytes).map_err(|e| GeoError(e.to_string()))?;
        Ok(GeoDatabase { reader })
    }

    /// The database's own type name (e.g. "GeoLite2-Country").
    pub fn database_type(&self) -> &str {
        &self.reader.metadata().database_type
    }

    /// What the database says about `address`; a record that does not decode counts as unknown.
    pub fn lookup(&self, address: IpAddr) -> GeoInfo {
        let Ok(found) = self.reader.lookup(address) else {
            return GeoInfo::default();
        };
        let Ok(Some(record)) = found.decode::<Record>() else {
            return GeoInfo::default();
        };
        let country = record
            .country
            .and_then(|c| c.iso_code)
            .or(record.country_code)
            .or(record.registered_country.and_then(|c| c.iso_code))
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        GeoInfo {
            country,
            asn: record.autonomous_system_number,
            as_org: record.autonomous_system_organization.map(str::to_string),
        }
    }

    /// [`Self::lookup`] for a printed address; anything that is not an IP address is unknown.
    pub fn lookup_text(&self, address: &str) -> GeoInfo {
        address.parse().map(|a| self.lookup(a)).unwrap_or_default()
    }
}
