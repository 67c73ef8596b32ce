# shellcheck shell=dash
# make bench, in the lab (iomem=relaxed): the cost of one verified register
# write on the emulated 82576's BAR0 beside the same accesses on memory, and
# of a full re-apply (after a PF link reset) of a PF with 7 VFs, beside a
# reconcile that finds nothing to do. Guest-side times under QEMU TCG: the
# BAR accesses are emulated, so they are slower than on a real NIC.
#
# lab: pfs=1 iomem=relaxed iommu=off timeout=400 needs=nfvcap

pf=0000:01:00.0
dev=/sys/bus/pci/devices/$pf
out=/run/lab
pfif=$(ls $dev/net)

check "nfvcapd starts" nfvcapd_start --reconcile-interval-ms 600000
check "vf create --count 7" nfvcapctl vf create $pf --count 7
check "regio-bench" capture $out/regio.txt "$NFVCAP_BUILD_DIR/bench/regio-bench" /sys $pf 3 2000
note "bench: one verified register write (read, write, read back) on BAR0: $(cat $out/regio.txt)"

{
    printf '{"pfs": {"%s": {"vf_count": 7, "vfs": {' "$pf"
    for i in 0 1 2 3 4 5 6; do
        [ $i -gt 0 ] && printf ', '
        printf '"%d": {"mac": "02:00:00:00:bb:%02x", "vlan": %d, "trust": true, "spoofchk": false}' $i $i $((10 + i))
    done
    printf '}, "rx_modes": {'
    for i in 0 1 2 3 4 5 6; do
        [ $i -gt 0 ] && printf ', '
        printf '"%d": {"broadcast": false, "multicast_hash": true}' $i
    done
    printf '}}}}\n'
} >$out/want.json
check "apply 7 VFs' settings and receive flags" capture $out/apply.json nfvcapctl apply $out/want.json --json

status() { nfvcapctl status --json >$out/status.json && jget "$1" $out/status.json; }
runs_before=$(status 'j["reconcile_runs"]')
check "ip link set $pfif down" ip link set "$pfif" down
check "ip link set $pfif up" ip link set "$pfif" up
# One status document for both figures: a periodic reconcile may follow at any time.
reapplied() { [ "$(status 'j["last_reconcile_actions"] >= 35')" = true ] && cp $out/status.json $out/full.json; }
check "nfvcapd re-applies everything after the link reset" retry 20 reapplied
full=$(jget 'j["last_reconcile_ms"]' $out/full.json)
n=$(jget 'j["last_reconcile_actions"]' $out/full.json)
check "reconcile now" capture $out/noop.json nfvcapctl reconcile --json
noop_actions=$(jget 'j["last_reconcile_actions"]' $out/noop.json)
noop=$(jget 'j["last_reconcile_ms"]' $out/noop.json)
check_eq "the next reconcile has nothing to do" 0 "$noop_actions"
note "bench: full re-apply of 7 VFs after a PF link reset ($n actions: netlink sets and verified register writes, then read-back): $full ms; reference, a reconcile with nothing to do: $noop ms"
check "nfvcapd exits 0 on SIGTERM" nfvcapd_stop
