# shellcheck shell=dash
# VF settings through nfvcapd on the real igb driver: applied and read back
# through rtnetlink and in the NIC's registers; unsupported knobs reported as
# such; bad input refused with nothing changed; drift made with `ip link`
# behind nfvcapd's back restored by the reconciler; settings still as wanted
# after the PF's link goes down and up; reset gives the originals back.
#
# lab: pfs=1 iomem=relaxed iommu=off timeout=300 needs=nfvcap

pf=0000:01:00.0
dev=/sys/bus/pci/devices/$pf
out=/run/lab
pfif=$(ls $dev/net)
mac=02:00:00:00:aa:01
igbregs() { python3 "$LAB_GUEST_DIR/igbregs" "$@"; }

# The reconcile interval is short so that drift is found within the scenario.
check "nfvcapd starts" nfvcapd_start --reconcile-interval-ms 3000
check "vf create --count 2" capture $out/c2.json nfvcapctl vf create $pf --count 2 --json
check "the VF's settings before any change" capture $out/vf0-before.json \
    nfvcapctl vf list $pf --json

# -- apply, read back ---------------------------------------------------------
check "vf set 0 mac, vlan 100 qos 3, spoofchk off, trust on" capture $out/set.json \
    nfvcapctl vf set $pf 0 --mac $mac --vlan 100 --qos 3 --spoofchk off --trust on --json
check_json $out/set.json <<EOF
nfvcapd reads back the MAC      | j["settings"]["mac"]      | $mac
nfvcapd reads back VLAN 100     | j["settings"]["vlan"]     | 100
nfvcapd reads back QoS 3        | j["settings"]["qos"]      | 3
nfvcapd reads back spoofchk off | j["settings"]["spoofchk"] | false
nfvcapd reads back trust on     | j["settings"]["trust"]    | true
the VF is in sync               | j["sync"]["in_sync"]      | true
the original settings are kept  | j["original"]["vlan"]     | 0
EOF

# iproute2's own view (rtnetlink, independent of nfvcapd).
vf0='[v for v in j[0]["vfinfo_list"] if v["vf"] == 0][0]'
vl="($vf0.get('vlan_list') or [$vf0])[0]"
check "ip link shows the PF's VFs" capture $out/ip.json ip -j link show $pfif
check_json $out/ip.json <<EOF
ip link: VF 0 MAC          | $vf0["address"]  | $mac
ip link: VF 0 VLAN 100     | $vl["vlan"]      | 100
ip link: VF 0 QoS 3        | $vl["qos"]       | 3
ip link: VF 0 spoofchk off | $vf0["spoofchk"] | false
ip link: VF 0 trust on     | $vf0["trust"]    | true
EOF

# The NIC's registers (82576, pool 0 = VF 0): the MAC in a receive-address
# register with pool bit 0, the port VLAN in VMVIR(0) with "always insert",
# and both anti-spoof bits of pool 0 clear in DTXSWC.
check "register dump" capture $out/regs.json igbregs $pf
check_json $out/regs.json <<EOF
RAR holds the VF MAC, valid, pool 0 | [r["pools"] for r in j["rar"] if r["mac"] == "$mac" and r["valid"]] | [[0]]
VMVIR(0) = VLAN 100, QoS 3, insert  | hex(j["vmvir"][0]) | $(printf '0x%x' $((0x40000000 | 100 | 3 << 13)))
DTXSWC: MAC anti-spoof off for VF 0 | j["dtxswc"] & 1 | 0
DTXSWC: VLAN anti-spoof off for VF 0 | (j["dtxswc"] >> 8) & 1 | 0
DTXSWC: VF 1 still checked | (j["dtxswc"] >> 1) & 1 | 1
EOF

# -- what the driver cannot do ----------------------------------------------------
check "pf show" capture $out/pf.json nfvcapctl pf show $pf --json
check_json $out/pf.json <<EOF
link_state is unsupported on igb | j["vf_capabilities"]["link_state"]["supported"] | false
vlan_proto is limited on igb     | j["vf_capabilities"]["vlan_proto"]["supported"] | false
the capabilities were probed     | j["vf_capabilities_probed"] | true
EOF
ip -j link show $pfif >$out/ip-before.json
check_eq "link-state enable is refused (exit 1)" 1 \
    "$(nfvcapctl vf set $pf 0 --link-state enable >/dev/null 2>$out/ls.err; echo $?)"
check_match "the refusal names link_state" "link_state" "$(cat $out/ls.err)"
check_eq "802.1ad is refused (exit 1)" 1 \
    "$(nfvcapctl vf set $pf 0 --vlan 100 --vlan-proto 802.1ad >/dev/null 2>$out/ad.err; echo $?)"
check_match "the refusal names vlan_proto" "vlan_proto" "$(cat $out/ad.err)"
# Whether igb limits a VF's rate depends on the chip (82576 only) and on the
# link being up (the limit must not exceed the link speed): either it is set
# and reads back, or it is refused naming max_tx_rate.
rate_rc=$(nfvcapctl vf set $pf 1 --max-rate 100 --json >$out/rate.json 2>$out/rate.err; echo $?)
note "max_tx_rate 100 on VF 1: exit $rate_rc $(cat $out/rate.err)"
if [ "$rate_rc" = 0 ]; then
    check_json $out/rate.json <<EOF
max_tx_rate 100 reads back | j["settings"]["max_tx_rate"] | 100
EOF
else
    check_match "max_tx_rate refused naming it" "max_tx_rate" "$(cat $out/rate.err)"
fi

# -- bad input: refused, naming the field, nothing changed ------------------------
bad() { # NAME FIELD ARGS...: the request fails with exit 1 and names FIELD
    _name=$1 _field=$2
    shift 2
    check_match "$_name: refused naming $_field" "\(field $_field\)" \
        "$(nfvcapctl vf set $pf "$@" 2>&1 >/dev/null; echo " rc=$?")"
}
ip -j link show $pfif >$out/ip-before.json
bad "multicast MAC" mac 0 --mac 01:00:5e:00:00:01
bad "all-zero MAC" mac 0 --mac 00:00:00:00:00:00
bad "malformed MAC" mac 0 --mac 02:00:00:00:00
bad "VLAN 4095" vlan 0 --vlan 4095
bad "VLAN 4096" vlan 0 --vlan 4096
bad "QoS 8" qos 0 --vlan 5 --qos 8
bad "VF index 2 of 2" index 2 --vlan 5
bad "VF index 7" index 7 --vlan 5
ip -j link show $pfif >$out/ip-after.json
check "the VFs are exactly as before the bad requests" cmp $out/ip-before.json $out/ip-after.json

# -- drift ------------------------------------------------------------------------
note "changing VF 0 behind nfvcapd's back: ip link set $pfif vf 0 vlan 7 spoofchk on"
check "ip link set vf 0 vlan 7 spoofchk on" ip link set $pfif vf 0 vlan 7 spoofchk on
vlan_is_100() {
    ip -j link show $pfif >$out/ip-drift.json &&
        [ "$(jget "$vl['vlan']" $out/ip-drift.json)" = 100 ] &&
        [ "$(jget "$vf0['spoofchk']" $out/ip-drift.json)" = false ]
}
check "the drift is undone within the reconcile interval" retry 8 vlan_is_100
check "nfvcapd says what it restored" grep -q "reconcile: " "$LAB_STATE/nfvcapd.log"
check "status" capture $out/status.json nfvcapctl status --json
check_json $out/status.json <<EOF
status: in sync again       | j["in_sync"] | true
status: VF 0 was re-applied | j["pfs"][0]["vfs"][0]["sync"]["last_applied"] is not None | true
EOF

# -- PF link down and up ----------------------------------------------------------------
check "ip link set $pfif down" ip link set $pfif down
sleep 1
check "ip link set $pfif up" ip link set $pfif up
carrier() { [ "$(cat /sys/class/net/$pfif/carrier 2>/dev/null)" = 1 ]; }
check "the PF's link comes back" retry 20 carrier
sleep 2
check "settings after link down/up" capture $out/ip-up.json ip -j link show $pfif
check_json $out/ip-up.json <<EOF
after down/up: VF 0 MAC      | $vf0["address"]  | $mac
after down/up: VF 0 VLAN 100 | $vl["vlan"]      | 100
after down/up: spoofchk off  | $vf0["spoofchk"] | false
EOF
check "register dump after down/up" capture $out/regs-up.json igbregs $pf
check_json $out/regs-up.json <<EOF
after down/up: RAR still holds the VF MAC for pool 0 | [r["pools"] for r in j["rar"] if r["mac"] == "$mac" and r["valid"]] | [[0]]
after down/up: VMVIR(0) still VLAN 100 QoS 3 | hex(j["vmvir"][0]) | $(printf '0x%x' $((0x40000000 | 100 | 3 << 13)))
after down/up: MAC anti-spoof still off for VF 0 | j["dtxswc"] & 1 | 0
EOF

# -- reset: the originals come back --------------------------------------------------
check "vf reset 0" capture $out/reset.json nfvcapctl vf reset $pf 0 --json
check_json $out/reset.json <<EOF
after reset: VLAN back to the original  | j["settings"]["vlan"]     | $(jget 'j["vfs"][0]["settings"]["vlan"]' $out/vf0-before.json)
after reset: trust back to the original | j["settings"]["trust"]    | $(jget 'j["vfs"][0]["settings"]["trust"]' $out/vf0-before.json)
after reset: spoofchk back              | j["settings"]["spoofchk"] | $(jget 'j["vfs"][0]["settings"]["spoofchk"]' $out/vf0-before.json)
after reset: no longer managed          | j["desired"]              | null
EOF
check "nfvcapd exits 0 on SIGTERM" nfvcapd_stop
