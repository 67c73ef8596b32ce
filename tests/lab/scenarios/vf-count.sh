# shellcheck shell=dash
# VF count through nfvcapd on the real igb driver: create 2, resize to 5
# (through 0), then 0; a count above the driver's limit is refused with the
# limit named and nothing changed; the count is kept as desired state.
#
# lab: pfs=1 iomem=strict iommu=off timeout=180 needs=nfvcap

pf=0000:01:00.0
dev=/sys/bus/pci/devices/$pf
out=/run/lab

check "nfvcapd starts" nfvcapd_start

vf_drivers() {
    for l in "$dev"/virtfn*; do
        [ -e "$l" ] || continue
        basename "$(readlink "$l/driver")"
    done | tr '\n' ' '
}

check "vf create --count 2" capture $out/c2.json nfvcapctl vf create $pf --count 2 --json
check_eq "the kernel has 2 VFs" 2 "$(cat $dev/sriov_numvfs)"
check_eq "both bound to igbvf" "igbvf igbvf " "$(vf_drivers)"
check_json $out/c2.json <<EOF
nfvcapd lists 2 VFs | len(j["vfs"]) | 2
each VF has a netdev | all(v["netdev"] for v in j["vfs"]) | true
EOF

check "vf create --count 5 (through 0)" capture $out/c5.json nfvcapctl vf create $pf --count 5 --json
check_eq "the kernel has 5 VFs" 5 "$(cat $dev/sriov_numvfs)"
check_eq "all bound to igbvf" "igbvf igbvf igbvf igbvf igbvf " "$(vf_drivers)"
check_json $out/c5.json <<EOF
nfvcapd lists 5 VFs | len(j["vfs"]) | 5
VF 4 is at 01:11.0 | j["vfs"][4]["address"] | 0000:01:11.0
EOF
check_json /var/lib/nfvcap/state.json <<EOF
the state file keeps vf_count 5 | j["pfs"]["$pf"]["vf_count"] | 5
EOF

before=$(cat $dev/sriov_numvfs)
check_eq "vf create --count 8 is refused (exit 1)" 1 \
    "$(nfvcapctl vf create $pf --count 8 >/dev/null 2>$out/c8.err; echo $?)"
check_match "the refusal names the limit of 7" "at most 7" "$(cat $out/c8.err)"
check_eq "nothing changed" "$before" "$(cat $dev/sriov_numvfs)"

check "vf create --count 0" capture $out/c0.json nfvcapctl vf create $pf --count 0 --json
check_eq "the kernel has no VFs" 0 "$(cat $dev/sriov_numvfs)"
check "nfvcapd exits 0 on SIGTERM" nfvcapd_stop
