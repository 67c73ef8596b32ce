# shellcheck shell=dash
# nfvcapd killed with SIGKILL in the middle of applying a desired state: the
# state file is intact (old or new, never half-written), and after a restart
# the machine converges to whatever it says.
#
# lab: pfs=1 iomem=strict iommu=off timeout=240 needs=nfvcap

pf=0000:01:00.0
dev=/sys/bus/pci/devices/$pf
out=/run/lab
pfif=$(ls $dev/net)
state=/var/lib/nfvcap/state.json

check "nfvcapd starts" nfvcapd_start
check "vf create --count 2" capture $out/c2.json nfvcapctl vf create $pf --count 2 --json

cat >$out/want.json <<EOF
{"pfs": {"$pf": {"vf_count": 5, "vfs": {"0": {"vlan": 10}, "3": {"vlan": 13, "qos": 1},
                                        "4": {"trust": true, "spoofchk": false}}}}}
EOF
note "applying a desired state that recreates the VFs and sets three of them, then SIGKILL"
nfvcapctl apply $out/want.json >$out/apply.out 2>&1 &
sleep 0.6
kill -KILL "$(cat "$LAB_STATE/nfvcapd.pid")"
rm -f "$LAB_STATE/nfvcapd.pid"
wait
note "killed while the kernel had $(cat $dev/sriov_numvfs) VFs; apply said: $(cat $out/apply.out)"

check "the state file is intact JSON" python3 -c "import json; json.load(open('$state'))"
check_json $state <<EOF
the state file is the old or the new desired state | j["pfs"]["$pf"]["vf_count"] in (2, 5) | true
EOF
want_count=$(jget "j['pfs']['$pf']['vf_count']" $state)
note "the state file wants $want_count VFs"

check "nfvcapd starts again" nfvcapd_start
converged() {
    nfvcapctl status --json >$out/status.json 2>/dev/null &&
        [ "$(jget 'j["in_sync"]' $out/status.json)" = true ] &&
        [ "$(cat $dev/sriov_numvfs)" = "$want_count" ]
}
check "the machine converges to the state file" retry 30 converged
if [ "$want_count" = 5 ]; then
    vf='[v for v in j[0]["vfinfo_list"] if v["vf"] == %d][0]'
    check "ip link" capture $out/ip.json ip -j link show $pfif
    check_json $out/ip.json <<EOF
VF 0 has VLAN 10 | ($(printf "$vf" 0).get("vlan_list") or [$(printf "$vf" 0)])[0]["vlan"] | 10
VF 3 has VLAN 13 | ($(printf "$vf" 3).get("vlan_list") or [$(printf "$vf" 3)])[0]["vlan"] | 13
VF 4 is trusted  | $(printf "$vf" 4)["trust"] | true
EOF
fi
check "nfvcapd exits 0 on SIGTERM" nfvcapd_stop
