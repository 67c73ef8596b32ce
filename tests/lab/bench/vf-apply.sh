# shellcheck shell=dash
# make bench, in the lab: the time nfvcapd takes to apply settings to all 7 VFs
# of the igb PF, and the cost of a reconcile that finds nothing to do, each
# beside iproute2 doing the same netlink work in the same guest. Figures are
# printed as "[note] bench: ..." lines; nothing here asserts a timing.
#
# lab: pfs=1 iomem=strict iommu=off timeout=400 needs=nfvcap

pf=0000:01:00.0
dev=/sys/bus/pci/devices/$pf
out=/run/lab
pfif=$(ls $dev/net)
rounds=5

ms_since() { echo "$(( ($(date +%s%N) - $1) / 1000 ))" | awk '{ printf "%.1f", $1 / 1000 }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

check "nfvcapd starts" nfvcapd_start --reconcile-interval-ms 1000
check "vf create --count 7" capture $out/c7.json nfvcapctl vf create $pf --count 7 --json

# Two sets of values, alternated, so that every round changes every knob of every VF.
desired() { # VLAN-BASE TRUST SPOOFCHK
    printf '{"pfs": {"%s": {"vf_count": 7, "vfs": {' "$pf"
    for i in 0 1 2 3 4 5 6; do
        [ $i -gt 0 ] && printf ', '
        printf '"%d": {"mac": "02:00:00:00:%02x:%02x", "vlan": %d, "qos": %d, "trust": %s, "spoofchk": %s}' \
            $i $(( $1 % 256 )) $i $(( $1 + i )) $(( i % 8 )) $2 $3
    done
    printf '}}}}\n'
}
batch() { # VLAN-BASE TRUST SPOOFCHK: the same settings as ip -batch commands
    for i in 0 1 2 3 4 5 6; do
        printf 'link set dev %s vf %d mac 02:00:00:00:%02x:%02x vlan %d qos %d trust %s spoofchk %s\n' \
            "$pfif" $i $(( $1 % 256 )) $i $(( $1 + i )) $(( i % 8 )) $2 $3
    done
}

: >$out/nfvcapd.ms
: >$out/ip.ms
r=0
while [ $r -lt $rounds ]; do
    if [ $((r % 2)) = 0 ]; then set -- 100 on off; t=true; s=false; else set -- 200 off on; t=false; s=true; fi
    desired "$1" $t $s >$out/want.json
    curl -s --unix-socket "$NFVCAP_SOCKET" -X PUT -H 'Content-Type: application/json' \
        --data @$out/want.json http://localhost/v1/state >$out/put.json
    jget 'j["elapsed_ms"]' $out/put.json >>$out/nfvcapd.ms 2>/dev/null || cat $out/put.json
    # The reference: the same netlink changes from one ip process (its start-up subtracted).
    batch $(( $1 + 1000 )) "$2" "$3" >$out/batch.txt
    echo "link show dev lo" >$out/empty.txt
    t0=$(date +%s%N); ip -batch $out/empty.txt >/dev/null; e=$(ms_since $t0)
    t0=$(date +%s%N); ip -batch $out/batch.txt; b=$(ms_since $t0)
    awk -v b="$b" -v e="$e" 'BEGIN { printf "%.1f\n", b - e }' >>$out/ip.ms
    r=$((r + 1))
done
check_eq "every apply succeeded" $rounds "$(grep -c . $out/nfvcapd.ms)"
# Leave nfvcapd's values in place for the reconcile measurement.
desired 100 true false >$out/want.json
check "final apply" capture $out/put.json nfvcapctl apply $out/want.json --json

# No-op reconcile: the periodic pass, 1 s apart, with nothing to do.
: >$out/rec.ms
i=0
while [ $i -lt 6 ]; do
    sleep 1.1
    nfvcapctl status --json | jget 'j["last_reconcile_ms"]' >>$out/rec.ms
    i=$((i + 1))
done
nfvcapctl status --json >$out/status.json
check_json $out/status.json <<EOF
the reconciles found everything in sync | j["in_sync"] | true
EOF
# The reference: one rtnetlink dump of the PF with its 7 VFs, as ip does it (x100, start-up subtracted).
: >$out/dump.txt
i=0
while [ $i -lt 100 ]; do echo "link show dev $pfif" >>$out/dump.txt; i=$((i + 1)); done
t0=$(date +%s%N); ip -batch $out/empty.txt >/dev/null; e=$(ms_since $t0)
t0=$(date +%s%N); ip -batch $out/dump.txt >/dev/null; b=$(ms_since $t0)
dump=$(awk -v b="$b" -v e="$e" 'BEGIN { printf "%.2f", (b - e) / 100 }')

note "bench: apply mac+vlan/qos+trust+spoofchk to 7 VFs (PUT /v1/state, $rounds rounds): nfvcapd median $(median <$out/nfvcapd.ms) ms; reference ip -batch (same 7 changes, 1 request per VF) median $(median <$out/ip.ms) ms"
note "bench: no-op reconcile of 7 VFs: nfvcapd median $(median <$out/rec.ms) ms (aim <= 50 ms); reference one rtnetlink dump of the PF by ip: $dump ms"
check "nfvcapd exits 0 on SIGTERM" nfvcapd_stop
