#!/bin/bash
# Regenerates tshark 4.0's protocol hierarchy (`tshark -n -q -z io,phs -r F`) for the selection
# below, one F.txt each; read by tests/phs_corpus.rs. The selection: every public capture on which
# tracematch's compared nodes equal tshark's (scripts/phs_compare.py), plus those with a
# KNOWN_DIFFERENCES entry (not the damaged files on which tshark prints no tree). Default preferences, no name resolution.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
captures=${CAPTURES:-$here/../../../../shared/captures/public}
[ -d "$captures" ] || captures=/work/shared/captures/public
SELECTION="pcapplusplus__http-packets2.pcap pcapplusplus__4KHttpRequests.pcap pcapplusplus__raw_ip.pcap suricata-verify__TLPW1-tcp-174.56.47.59-10.3.11.101-tcp-80-49309.pcap
arkime__80211http.pcap arkime__IKEv1.pcap arkime__ah-esp.pcap arkime__bigendian.pcap 
arkime__gre-erspan-vxlan.pcap arkime__mqtt_synthetic.pcap arkime__pppoe.pcap 
arkime__tcp_handshake_synthetic.pcap arkime__v6-http.pcap arkime__vxlan.pcap 
arkime__wireshark-esp.pcap arkime__wireshark-retrans.pcap gopacket__be_test202.pcapng 
gopacket__le_test008.pcapng libpcap__Network_Join_Nokia_Mobile.pcap 

ndpi__1kxun.pcap ndpi__http_starting_with_reply.pcapng 
ndpi__ipp.pcap ndpi__ipsec_isakmp_esp.pcap ndpi__ocs.pcap ndpi__quic-v2.pcapng 
pcap-parser__modified-format.pcap pcap-parser__test001-be.pcapng pcap-parser__test010-le.pcapng 
pcap-parser__test016-be.pcapng pcap-parser__test016-le.pcapng pcap-parser__test017-be.pcapng 
pcap-parser__test017-le.pcapng pcap-parser__wireshark_samples-test.pcapng 
pcapplusplus__GrePackets.pcap pcapplusplus__IPv4Frag.pcap pcapplusplus__dns_over_tcp.pcapng 
pcapplusplus__frag_http_req.pcap pcapplusplus__ipv6_options.pcap 
pcapplusplus__many_interfaces-1.pcapng pcapplusplus__nanosecs_big_endian.pcap 
pcapplusplus__sll.pcap scapy__bad_rsn_parsing_overrides_ssid.pcap 
scapy__http_compressed-brotli.pcap scapy__http_compressed.pcap scapy__ikev2_nat_t.pcapng 
suricata-verify__bug-7657-01_input.pcap suricata-verify__covert_send6.pcap 
suricata-verify__decode-sll2-01_input.pcap suricata-verify__decode-sll2-02_input.pcap 
suricata-verify__eve-flow-esp_input.pcap suricata-verify__frag-ppp-ip-tcp-syn.pcap 
suricata-verify__fuzz.pcap suricata-verify__hdlc-http_1tx.pcap 
suricata-verify__http-evader-106_input.pcap suricata-verify__http-evader-159_input.pcap 
suricata-verify__http-evader-183_input.pcap suricata-verify__http-mime-truncated_input.pcap 
suricata-verify__http-range-multiflows_input.pcap suricata-verify__icmpv4-ping.pcap 
suricata-verify__response_identity_identity_gzip_identity_gzip_gzip.pcap 
suricata-verify__simple_http_download.onesided.pcap suricata-verify__smb2-async-read_input.pcap 
suricata-verify__split-handshake-5whs.pcap 
suricata-verify__tcp-fastopen-10-syn-data-ignore_input.pcap 
suricata-verify__tcp-session-syn-flood-drop-precedence_input.pcap tcpdump__dns_tcp.pcap 
tcpdump__ieee802.11_exthdr.pcap tcpdump__ipv6_mobility_1.pcap tcpdump__mpls-traceroute.pcap 
tcpdump__tcp-handshake-nano.pcap tcpreplay__test.pcap 
tcpreplay__test.rewrite_1ttl.pcap tcpreplay__test.rewrite_pnat.pcap 
tcpreplay__test.rewrite_portmap.pcap tcpreplay__test.rewrite_vlan802.1ad.pcap 
zeek__1000-requests-one-dropped-response.pcap.gz zeek__dhcp_flood.pcap zeek__dns-edns-ecs.pcap 
zeek__gap-data-missing.pcapng zeek__gre-over-udp-4754.pcap zeek__ipv6-http-atomic-frag.pcap 
zeek__linux_dlt_sll2.pcap zeek__pubsub.pcap zeek__q-in-q.pcap zeek__vlan-pcp-dei.pcapng"
for c in $SELECTION; do
  LC_ALL=C TZ=UTC HOME= XDG_CONFIG_HOME= tshark -n -q -z io,phs -r "$captures/$c" > "$here/$c.txt" 2>/dev/null ||
    echo "tshark stopped early on $c (damaged capture); its statistics are kept" >&2
done
