# shellcheck shell=dash
# Pool receive flags by register access on the emulated 82576 (iomem=relaxed):
# nfvcapd's writes read back and are in the audit log; what the emulated NIC
# does implement is shown with real frames from the host (broadcast with BAM
# on and off, multicast hash with ROMPE on and off, counted at the VF); and a
# PF link reset, after which igb rewrites the pools' flags, is undone.
# (QEMU stores but ignores MPE and has no mirroring: see docs/lab.md.)
#
# lab: pfs=1 iomem=relaxed iommu=off timeout=300 needs=nfvcap

pf=0000:01:00.0
dev=/sys/bus/pci/devices/$pf
out=/run/lab
pfif=$(ls $dev/net)
igbregs() { python3 "$LAB_GUEST_DIR/igbregs" "$@"; }
BAM=$((1 << 27))
ROMPE=$((1 << 25))

check "nfvcapd starts" nfvcapd_start --reconcile-interval-ms 2000
check "vf create --count 2" capture $out/c2.json nfvcapctl vf create $pf --count 2 --json
vf0=$(basename "$(readlink $dev/virtfn0)")
vfif=$(ls /sys/bus/pci/devices/$vf0/net)
check "the VF's interface is up" ip link set "$vfif" up
carrier() { [ "$(cat /sys/class/net/$1/carrier 2>/dev/null)" = 1 ]; }
check "the VF has link" retry 20 carrier "$vfif"

rx() { cat "/sys/class/net/$vfif/statistics/rx_packets"; }
vmolr() { # VF: its pool's VMOLR word
    igbregs $pf >$out/regs.json && jget "j['vmolr'][$1]" $out/regs.json
}
inject() { # COUNT DST-MAC: frames from the wire into the PF, then a moment for delivery
    _i=0
    while [ $_i -lt "$1" ]; do
        lab_ctl wire-send 0 "${2}525400ab00fe88b5$(printf 'nfvcap-rx-%02d' $_i | od -An -tx1 | tr -d ' \n')" >/dev/null
        _i=$((_i + 1))
    done
    sleep 1
}
delivered() { # COUNT DST-MAC: how many of COUNT injected frames VF 0 received
    _before=$(rx)
    inject "$1" "$2"
    echo $(($(rx) - _before))
}

# -- broadcast (BAM) ------------------------------------------------------------
check "rxmode set VF 0 broadcast on" capture $out/bam-on.json nfvcapctl rxmode set $pf 0 --bam on --json
check_eq "VMOLR(0) has BAM set" $BAM $(($(vmolr 0) & BAM))
check_eq "5 broadcasts reach VF 0 with BAM on" 5 "$(delivered 5 ffffffffffff)"
check "rxmode set VF 0 broadcast off" capture $out/bam-off.json nfvcapctl rxmode set $pf 0 --bam off --json
check_eq "VMOLR(0) has BAM clear" 0 $(($(vmolr 0) & BAM))
check_json $out/bam-off.json <<EOF
nfvcapd reads back BAM off   | j["flags"]["broadcast"]  | false
the original flags are kept  | j["original"]["broadcast"] | true
EOF
check_eq "no broadcast reaches VF 0 with BAM off" 0 "$(delivered 5 ffffffffffff)"

# -- multicast hash (ROMPE) -------------------------------------------------------
group=01005e010203
check "VF 0 joins 01:00:5e:01:02:03" ip maddr add 01:00:5e:01:02:03 dev "$vfif"
sleep 1
check "rxmode set VF 0 multicast_hash on" nfvcapctl rxmode set $pf 0 --rompe on
check_eq "5 multicasts of the group reach VF 0 with ROMPE on" 5 "$(delivered 5 $group)"
check "rxmode set VF 0 multicast_hash off" nfvcapctl rxmode set $pf 0 --rompe off
check_eq "VMOLR(0) has ROMPE clear" 0 $(($(vmolr 0) & ROMPE))
check_eq "no multicast of the group reaches VF 0 with ROMPE off" 0 "$(delivered 5 $group)"

# -- audit --------------------------------------------------------------------------
check "audit" capture $out/audit.json nfvcapctl audit $pf --json
check_json $out/audit.json <<EOF
the audit log has the BAM-off and ROMPE-off writes of VMOLR(0) | len([r for r in j["records"] if r["register"] == "VMOLR[0]" and int(r["old"], 16) & ~int(r["new"], 16) & ((1 << 27) | (1 << 25))]) >= 2 | true
each record names the client (uid 0)   | all(r["uid"] == 0 for r in j["records"] if r["by"] == "api") | true
old and new values are recorded        | all(r["old"].startswith("0x") and r["new"].startswith("0x") for r in j["records"]) | true
EOF
check "the writes are in nfvcapd's log too" grep -q "register write VMOLR\[0\]" "$LAB_STATE/nfvcapd.log"

# -- PF link reset --------------------------------------------------------------------
# VF 1: broadcast off. igb sets BAM on every VF pool when it resets the PF.
check "rxmode set VF 1 broadcast off" nfvcapctl rxmode set $pf 1 --bam off
check_eq "VMOLR(1) has BAM clear" 0 $(($(vmolr 1) & BAM))
check "ip link set $pfif down" ip link set "$pfif" down
check "ip link set $pfif up" ip link set "$pfif" up
check "the PF's link comes back" retry 20 carrier "$pfif"
bam1_clear() { [ $(($(vmolr 1) & BAM)) = 0 ]; }
check "VMOLR(1) BAM is clear again within the reconcile interval" retry 10 bam1_clear
check "audit after the reset" capture $out/audit2.json nfvcapctl audit $pf --json
check_json $out/audit2.json <<EOF
nfvcapd itself re-applied VMOLR(1) | any(r["by"] == "nfvcapd" and r["register"] == "VMOLR[1]" for r in j["records"]) | true
EOF

# -- reset: originals back ----------------------------------------------------------------
check "rxmode reset VF 0" capture $out/reset.json nfvcapctl rxmode set $pf 0 --reset --json
check_json $out/reset.json <<EOF
broadcast back to its original | j["flags"]["broadcast"] | true
no longer managed              | j["desired"]            | null
EOF
check "nfvcapd exits 0 on SIGTERM" nfvcapd_stop
