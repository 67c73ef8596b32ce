# shellcheck shell=dash
# nfvcapd's inventory of one igb PF, then of the VFs that the kernel creates
# when sriov_numvfs is written behind nfvcapd's back: what nfvcapd reports
# must match the device and the kernel's own view in sysfs.
#
# lab: pfs=1 iomem=relaxed iommu=off timeout=120 needs=nfvcap

pf=0000:01:00.0
dev=/sys/bus/pci/devices/$pf
out=/run/lab

check "nfvcapd starts and serves its socket" nfvcapd_start

# -- the PF -------------------------------------------------------------------
check "pf list --json" capture $out/pfs.json nfvcapctl pf list --json
check_json $out/pfs.json <<EOF
pf list shows exactly one PF | len(j["pfs"])          | 1
pf list shows $pf            | j["pfs"][0]["address"] | $pf
EOF
check "pf list (table) names $pf" sh -c "'$NFVCAP_BUILD_DIR/nfvcapctl' pf list | grep -q '$pf'"

check "pf show $pf --json" capture $out/pf.json nfvcapctl pf show $pf --json
check_json $out/pf.json <<EOF
PF is 8086:10c9                   | j["vendor_id"] + ":" + j["device_id"] | 8086:10c9
PF family is igb                  | j["family"]                 | igb
PF model is 82576                 | j["model"]                  | 82576
PF driver is igb                  | j["driver"]                 | igb
capability: TotalVFs 8            | j["sriov"]["total_vfs"]     | 8
capability: VF offset 128         | j["sriov"]["vf_offset"]     | 128
capability: VF stride 2           | j["sriov"]["vf_stride"]     | 2
capability: VF device id 10ca     | j["sriov"]["vf_device_id"]  | 10ca
driver sriov_totalvfs 7 (igb keeps a pool) | j["sriov_totalvfs"] | 7
sriov_totalvfs as in sysfs        | j["sriov_totalvfs"]         | $(cat $dev/sriov_totalvfs)
no VFs yet                        | j["sriov_numvfs"]           | 0
PF netdev is the one in sysfs     | j["netdev"]["name"]         | $(ls $dev/net)
EOF

# -- VFs created outside nfvcapd ----------------------------------------------
note "creating 3 VFs through sysfs, behind nfvcapd's back"
check "echo 3 > sriov_numvfs" sh -c "echo 3 > $dev/sriov_numvfs"

vfs=""
for i in 0 1 2; do
    vfs="$vfs $(basename "$(readlink $dev/virtfn$i)")"
done
vfs=${vfs# }
check_eq "the kernel put the VFs at offset 128, stride 2" \
    "0000:01:10.0 0000:01:10.2 0000:01:10.4" "$vfs"

# nfvcapd may learn of the VFs from a uevent a moment after the write returns.
three_vfs_listed() {
    nfvcapctl vf list $pf --json >$out/vfs.json 2>$out/vfs.err &&
        [ "$(jget 'len(j["vfs"])' $out/vfs.json)" = 3 ]
}
check "vf list shows 3 VFs within 5 s" retry 5 three_vfs_listed

# Expected values come from sysfs, the kernel's own view.
{
    echo "vf list addresses are the kernel's | ' '.join(v['address'] for v in j['vfs']) | $vfs"
    echo "vf list indexes are 0 1 2 | ' '.join(str(v['index']) for v in j['vfs']) | 0 1 2"
    i=0
    for vf in $vfs; do
        echo "VF $i ($vf) is 8086:10ca | j['vfs'][$i]['vendor_id'] + ':' + j['vfs'][$i]['device_id'] | 8086:10ca"
        echo "VF $i ($vf) is bound to igbvf | j['vfs'][$i]['driver'] | $(basename "$(readlink "/sys/bus/pci/devices/$vf/driver")")"
        echo "VF $i ($vf) netdev is the one in sysfs | j['vfs'][$i]['netdev'] | $(ls "/sys/bus/pci/devices/$vf/net")"
        i=$((i + 1))
    done
} | check_json $out/vfs.json

check "pf show after VF creation" capture $out/pf.json nfvcapctl pf show $pf --json
check_json $out/pf.json <<EOF
pf show reports sriov_numvfs 3 | j["sriov_numvfs"] | 3
EOF

# -- the daemon's end ---------------------------------------------------------
check "nfvcapd exits 0 on SIGTERM" nfvcapd_stop
check_eq "nfvcapctl says 3 (unreachable) once nfvcapd is gone" 3 \
    "$(nfvcapctl pf list >/dev/null 2>&1; echo $?)"
