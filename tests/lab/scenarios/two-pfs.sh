# shellcheck shell=dash
# Two igb PFs, each behind its own PCIe root port: nfvcapd lists both, with
# the addresses the kernel gave them.
#
# lab: pfs=2 iomem=strict iommu=off timeout=120 needs=nfvcap

out=/run/lab
# The kernel's view, sorted as nfvcapd is expected to sort (by address).
pfs=$(pf_addrs | sort | tr '\n' ' ')
pfs=${pfs% }
check_eq "the kernel sees two igb PFs" "0000:01:00.0 0000:02:00.0" "$pfs"

check "nfvcapd starts and serves its socket" nfvcapd_start
check "pf list --json" capture $out/pfs.json nfvcapctl pf list --json
{
    echo "pf list shows two PFs | len(j['pfs']) | 2"
    echo "pf list addresses are the kernel's | ' '.join(sorted(p['address'] for p in j['pfs'])) | $pfs"
    echo "both are igb 82576 | ' '.join(p['family'] + '/' + p['model'] for p in j['pfs']) | igb/82576 igb/82576"
    echo "both offer TotalVFs 8 | [p['sriov']['total_vfs'] for p in j['pfs']] | [8,8]"
} | check_json $out/pfs.json

for pf in $pfs; do
    check "pf show $pf" capture $out/pf.json nfvcapctl pf show "$pf" --json
    check_json $out/pf.json <<EOF
pf show $pf: address     | j["address"]         | $pf
pf show $pf: netdev      | j["netdev"]["name"]  | $(ls "/sys/bus/pci/devices/$pf/net")
EOF
done

check "nfvcapd exits 0 on SIGTERM" nfvcapd_stop
