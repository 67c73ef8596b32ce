# shellcheck shell=dash
# nfvcap-agent's dpdk engine on a real igbvf VF, with the virtual IOMMU: the
# agent hands the VF to vfio-pci through driver_override (loading vfio-pci with
# libkmod), DPDK's net_e1000_igb_vf drives it, frames the host injects are
# counted exactly and reach nfvcapd on the host over the real virtio-serial
# port, and on stop the VF goes back to igbvf.
#
# lab: pfs=1 iomem=strict iommu=on cpus=2 memory=1536 timeout=300 needs=nfvcap agent=nfvcapd

# shellcheck source=tests/lab/guest/agentlib.sh  # sets vf and vfnet (agent_vf)
. "$LAB_GUEST_DIR/agentlib.sh"
pf=0000:01:00.0
mac=02:00:00:00:07:02
frames=20

agent_vf $pf $mac
check "the VF has an IOMMU group" test -e /sys/bus/pci/devices/"$vf"/iommu_group
hp=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
echo 128 >$hp
check_eq "128 hugepages of 2 MiB" 128 "$(cat $hp)"
mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages

agent_start --dpdk-eal "--in-memory --no-telemetry -l 0-1 --log-level=warning"
check "the agent is connected to the host's nfvcapd" monitor_shows " ready " 30
check "capture start (dpdk, the VF's PCI address)" host_nfvcapctl capture start lab dpdk "$vf"
check "the capture runs" monitor_shows "running dpdk" 90
check_eq "the VF is bound to vfio-pci while DPDK has it" vfio-pci \
    "$(basename "$(readlink /sys/bus/pci/devices/"$vf"/driver)")"
check_eq "the host injected $frames frames" $frames "$(send_frames $mac nfvcap-dpdk $frames)"
counted_all $frames 20
check_json "$LAB_STATE/stats.json" <<EOF2
exactly what the host sent       | j["latest"]["engine"]["packets"]                      | $frames
the PMD agrees (xstats)          | j["latest"]["nic"]["rx_packets"]                      | $frames
the PMD is igbvf's               | "net_e1000_igb_vf" in j["latest"]["engine"]["source"] | true
a VF has no missed counter: null | j["latest"]["nic"]["rx_missed"]                       | null
no mbuf shortage                 | j["latest"]["engine"]["drops"]["nombuf"]              | 0
EOF2
check "capture stop" host_nfvcapctl capture stop lab
back_to_igbvf() { [ "$(basename "$(readlink /sys/bus/pci/devices/"$vf"/driver)")" = igbvf ]; }
check "the VF goes back to igbvf" retry 30 back_to_igbvf
agent_stop
