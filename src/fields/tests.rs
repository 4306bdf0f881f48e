//! Tests of the field registry: names, formats, occurrences, empty cells, unknown names.

use super::*;
use crate::capture::{FrameMeta, NO_INTERFACE};
use crate::decode::{DecodedFrame, Decoder};

/// Ethernet / IPv4 / UDP 4789 / VXLAN / Ethernet / IPv4 / TCP SYN.
fn tunnelled_frame() -> Vec<u8> {
    let mut inner = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
    inner.extend([
        0x45, 0, 0, 40, 0x12, 0x34, 0x40, 0, 63, 6, 0, 0, 192, 168, 1, 1, 192, 168, 1, 2,
    ]);
    inner.extend([
        0x13, 0x88, 0, 80, 0, 0, 0, 9, 0, 0, 0, 0, 0x50, 0x02, 0x20, 0, 0, 0, 0, 0,
    ]);
    let mut vxlan = vec![0x08, 0, 0, 0, 0, 0, 0x2a, 0];
    vxlan.extend(inner);
    let udp_len = (8 + vxlan.len()) as u16;
    let mut p = vec![
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x81, 0, 0, 7, 0x08,
        0x00,
    ];
    p.extend([
        0x45, 0, 0, 0, 0xab, 0xcd, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ]);
    let total = (20 + udp_len).to_be_bytes();
    p[20] = total[0];
    p[21] = total[1];
    p.extend(40000u16.to_be_bytes());
    p.extend(4789u16.to_be_bytes());
    p.extend(udp_len.to_be_bytes());
    p.extend([0, 0]);
    p.extend(vxlan);
    p
}

fn values(names: &[&str], meta: &FrameMeta, data: &[u8], has_interfaces: bool) -> String {
    let mut frame = DecodedFrame::default();
    Decoder::new().decode(meta, data, &mut frame);
    let ctx = FieldContext {
        meta,
        frame: &frame,
        data,
        tcp_streams: &[3],
        udp_streams: &[11],
        first_ts_ns: 1_000_000_000,
        has_interfaces,
    };
    let fields = compile(names).expect("known fields");
    let mut out = String::new();
    write_line(&fields, &ctx, &mut out);
    out
}

fn meta(data: &[u8]) -> FrameMeta {
    FrameMeta {
        number: 7,
        ts_ns: 1_429_000_030_398_627_000,
        has_timestamp: true,
        caplen: data.len() as u32,
        wire_len: data.len() as u32 + 4,
        linktype: 1,
        interface_id: 2,
        section_interface_id: 2,
        ..FrameMeta::default()
    }
}

#[test]
fn tunnelled_occurrences_are_comma_joined_outermost_first() {
    let data = tunnelled_frame();
    let line = values(
        &[
            "eth.type",
            "eth.src",
            "vlan.id",
            "ip.src",
            "ip.id",
            "ip.ttl",
            "ip.flags",
            "ip.proto",
            "udp.port",
            "udp.stream",
        ],
        &meta(&data),
        &data,
        false,
    );
    assert_eq!(
        line,
        "0x8100,0x0800\t00:11:22:33:44:55,02:00:00:00:00:01\t7\t10.0.0.1,192.168.1.1\t0xabcd,0x1234\t64,63\t\
         0x00,0x02\t17,6\t40000,4789\t11"
    );
    let line = values(
        &[
            "tcp.srcport",
            "tcp.port",
            "tcp.flags",
            "tcp.seq_raw",
            "tcp.len",
            "tcp.hdr_len",
            "tcp.window_size_value",
            "tcp.stream",
        ],
        &meta(&data),
        &data,
        false,
    );
    assert_eq!(line, "5000\t5000,80\t0x0002\t9\t0\t20\t8192\t3");
}

#[test]
fn frame_fields() {
    let data = tunnelled_frame();
    let m = meta(&data);
    let names = [
        "frame.number",
        "frame.time_epoch",
        "frame.time_relative",
        "frame.len",
        "frame.cap_len",
        "frame.interface_id",
    ];
    let expected = format!(
        "7\t1429000030.398627000\t1429000029.398627000\t{}\t{}\t",
        data.len() + 4,
        data.len()
    );
    assert_eq!(
        values(&names, &m, &data, false),
        expected,
        "classic pcap: no interface id"
    );
    assert_eq!(values(&names[5..], &m, &data, true), "2");
    let custom = FrameMeta {
        interface_id: NO_INTERFACE,
        ..m
    };
    assert_eq!(values(&names[5..], &custom, &data, true), "");
    let spb = FrameMeta {
        has_timestamp: false,
        ts_ns: 0,
        ..m
    };
    assert_eq!(values(&names[1..3], &spb, &data, true), "\t");
    assert_eq!(
        values(&["frame.protocols"], &m, &data, false),
        "eth:ethertype:vlan:ethertype:ip:udp:vxlan:eth:ethertype:ip:tcp"
    );
}

#[test]
fn absent_layers_give_empty_cells() {
    let data = tunnelled_frame();
    let line = values(
        &["ipv6.src", "icmp.type", "esp.spi", "dns.id", "arp.opcode"],
        &meta(&data),
        &data,
        false,
    );
    assert_eq!(line, "\t\t\t\t");
}

#[test]
fn unknown_names_are_all_reported() {
    let err = compile(&["ip.src", "ip.bogus", "tcp.nope"]).expect_err("unknown");
    assert_eq!(err.0, ["ip.bogus", "tcp.nope"]);
    assert_eq!(
        err.to_string(),
        "Some fields aren't valid:\n\tip.bogus\n\ttcp.nope"
    );
    let data = tunnelled_frame();
    let m = meta(&data);
    let frame = DecodedFrame::default();
    let ctx = FieldContext {
        meta: &m,
        frame: &frame,
        data: &data,
        tcp_streams: &[],
        udp_streams: &[],
        first_ts_ns: 0,
        has_interfaces: false,
    };
    let mut out = String::new();
    assert!(!field_values("ip.bogus", &ctx, &mut out));
    assert!(field_values("frame.number", &ctx, &mut out));
    assert_eq!(out, "7");
}

#[test]
fn every_name_round_trips() {
    for (name, field) in Field::NAMES {
        assert_eq!(Field::parse(name), Some(*field));
        assert_eq!(field.name(), *name);
    }
}
