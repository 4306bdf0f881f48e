//! GeoIP on databases the test writes itself (tests/mmdb_writer, from the MaxMind DB spec): lookups
//! of IPv4 and IPv6 addresses in MaxMind-style (`country.iso_code`, ASN fields) and
//! ip-location-db-style (`country_code`) databases, bytes per country, and `tracematch endpoints
//! --geoip` on a corpus capture. No downloaded database is used.

mod common;
mod mmdb_writer;

use std::net::IpAddr;

use mmdb_writer::{build, map, s, Value};
use tracematch::stats::{country_totals, locate_endpoints, EndpointRow, GeoDatabase};

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn maxmind_style() -> Vec<u8> {
    let place = |cc: &str, asn: u32, org: &str| {
        map(&[
            (
                "country",
                map(&[
                    ("iso_code", s(cc)),
                    ("names", map(&[("en", s("somewhere"))])),
                ]),
            ),
            ("autonomous_system_number", Value::U32(asn)),
            ("autonomous_system_organization", s(org)),
        ])
    };
    build(
        "Test-Country-ASN",
        &[
            (ip("10.0.0.0"), 8, place("DE", 3320, "Deutsche, Telekom")),
            (ip("192.168.1.0"), 24, place("FR", 3215, "Orange")),
            (ip("2001:db8::"), 32, place("JP", 2497, "IIJ")),
        ],
    )
}

#[test]
fn lookups_in_both_database_styles() {
    let db = GeoDatabase::from_bytes(maxmind_style()).expect("open");
    assert_eq!(db.database_type(), "Test-Country-ASN");
    let de = db.lookup(ip("10.200.3.4"));
    assert_eq!(
        (de.country.as_deref(), de.asn, de.as_org.as_deref()),
        (Some("DE"), Some(3320), Some("Deutsche, Telekom"))
    );
    assert_eq!(db.lookup(ip("192.168.1.77")).country.as_deref(), Some("FR"));
    assert_eq!(db.lookup(ip("192.168.2.1")).country, None);
    assert_eq!(db.lookup(ip("2001:db8:1::5")).asn, Some(2497));
    assert_eq!(db.lookup(ip("2001:db9::1")), Default::default());
    assert_eq!(db.lookup_text("not an address"), Default::default());

    // ip-location-db's country databases: { country_code } only.
    let bytes = build(
        "ip-location-db country",
        &[(ip("8.8.8.0"), 24, map(&[("country_code", s("US"))]))],
    );
    let db = GeoDatabase::from_bytes(bytes).unwrap();
    let us = db.lookup(ip("8.8.8.8"));
    assert_eq!((us.country.as_deref(), us.asn), (Some("US"), None));

    for bad in [
        Vec::new(),
        b"not a database".to_vec(),
        maxmind_style()[..40].to_vec(),
    ] {
        assert!(GeoDatabase::from_bytes(bad).is_err());
    }
}

#[test]
fn bytes_per_country() {
    let db = GeoDatabase::from_bytes(maxmind_style()).unwrap();
    let row = |a: &str, bytes: u64| EndpointRow {
        address: a.into(),
        packets: 1,
        bytes,
        ..Default::default()
    };
    let rows = locate_endpoints(
        vec![
            row("10.0.0.1", 100),
            row("10.0.0.2", 50),
            row("192.168.1.1", 400),
            row("172.16.0.1", 7),
        ],
        &db,
    );
    let totals: Vec<(String, u64, u64)> = country_totals(&rows)
        .into_iter()
        .map(|t| (t.country, t.endpoints, t.bytes))
        .collect();
    assert_eq!(
        totals,
        vec![
            ("FR".into(), 1, 400),
            ("DE".into(), 2, 150),
            ("".into(), 1, 7)
        ]
    );
}

#[test]
fn cli_endpoints_with_geoip_columns() {
    let Some(captures) = common::captures_dir("cli_endpoints_with_geoip_columns") else {
        return;
    };
    let capture = captures.join("public/arkime__wireshark-retrans.pcap");
    let dir = std::env::temp_dir().join(format!("tracematch-geoip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("test.mmdb");
    // 172.17.96.143 → NL / AS 1136; the other endpoint (172.17.96.77) stays unknown.
    let bytes = build(
        "Test",
        &[(
            ip("172.17.96.143"),
            32,
            map(&[
                ("country", map(&[("iso_code", s("NL"))])),
                ("autonomous_system_number", Value::U32(1136)),
            ]),
        )],
    );
    std::fs::write(&db, bytes).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tracematch"))
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, plain) = run(&["endpoints", capture.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    let (code, geo) = run(&[
        "endpoints",
        capture.to_str().unwrap(),
        "--geoip",
        db.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0));
    let mut lines = geo.lines();
    assert_eq!(lines.next(), Some("address,packets,bytes,tx_packets,tx_bytes,rx_packets,rx_bytes,conversations,country,asn,as_org"));
    let rows: Vec<&str> = lines.collect();
    // Same rows as without --geoip, with the three columns added.
    let plain_rows: Vec<&str> = plain.lines().skip(1).collect();
    assert_eq!(rows.len(), plain_rows.len());
    for (g, p) in rows.iter().zip(&plain_rows) {
        let extra = if p.starts_with("172.17.96.143,") {
            ",NL,1136,"
        } else {
            ",,,"
        };
        assert_eq!(*g, format!("{p}{extra}"));
    }
    let (code, _) = run(&[
        "endpoints",
        capture.to_str().unwrap(),
        "--geoip",
        capture.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(1), "a capture is not a database");
    let _ = std::fs::remove_dir_all(&dir);
}
