# shellcheck shell=dash
# nfvcap-agent's dpdk engine on a real igbvf VF, with the virtual IOMMU: the
# agent hands the VF to vfio-pci through driver_override (loading vfio-pci with
# libkmod), DPDK's net_e1000_igb_vf drives it, frames the host injects are
# counted exactly, and on stop the VF goes back to igbvf.
#
# lab: pfs=1 iomem=strict iommu=on cpus=2 memory=1536 timeout=300 needs=nfvcap

pf=0000:01:00.0
dev=/sys/bus/pci/devices/$pf
agent=$NFVCAP_BUILD_DIR/nfvcap-agent
frames=20

sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
check "create 1 VF" sh -c "echo 1 > $dev/sriov_numvfs"
vf=$(basename "$(readlink $dev/virtfn0)")
check "the VF binds igbvf" retry 15 test -d /sys/bus/pci/devices/$vf/net
check "the VF has an IOMMU group" test -e /sys/bus/pci/devices/$vf/iommu_group
vfnet=$(ls /sys/bus/pci/devices/$vf/net)
# An administered MAC, put by igb in a receive-address register with the VF's
# pool (see agent-afpacket.sh); the PMD gets it from the PF through the mailbox.
sleep 1
check "the VF gets a MAC from the PF" ip link set "$(ls $dev/net)" vf 0 mac 02:00:00:00:07:02
check "the VF interface comes up" ip link set "$vfnet" up
check "igbvf took the MAC" retry 20 grep -qx 02:00:00:00:07:02 /sys/class/net/"$vfnet"/address
vfmac=020000000702
rx=/sys/class/net/$vfnet/statistics/rx_packets
probe=${vfmac}525400ab00fe88b5$(printf 'nfvcap-probe' | od -An -tx1 | tr -d ' \n')
while [ ${#probe} -lt 120 ]; do probe=${probe}00; done
reaches_vf() {
    _before=$(cat $rx)
    lab_ctl wire-send 0 "$probe" >/dev/null
    sleep 1
    [ "$(cat $rx)" -gt "$_before" ]
}
check "a frame to the VF's MAC reaches the VF (igbvf)" retry 10 reaches_vf
hp=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
echo 128 >$hp
check_eq "128 hugepages of 2 MiB" 128 "$(cat $hp)"
mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages

"$agent" --channel listen:$LAB_STATE/agent.sock --log-target stderr --log-level debug \
    --dpdk-eal "--in-memory --no-telemetry -l 0-1 --log-level=warning" \
    >$LAB_STATE/agent.log 2>&1 7>&- 8>&- &
agent_pid=$!
check "the agent listens" retry 15 test -S $LAB_STATE/agent.sock
check "nfvcapd starts with the monitor" nfvcapd_start \
    --monitor "lab $LAB_STATE/agent.sock vm=lab-guest pf=$pf vf=0 interval_ms=200"
# Waits (a look a second, at most $2 looks) for the monitor list to show $1;
# on failure shows the list and the agent's and nfvcapd's logs.
monitor_shows() {
    _n=0
    while [ $_n -lt "$2" ]; do
        nfvcapctl monitor list >$LAB_STATE/monitors.txt 2>&1 && grep -q "$1" $LAB_STATE/monitors.txt &&
            return 0
        sleep 1
        _n=$((_n + 1))
    done
    cat $LAB_STATE/monitors.txt
    tail -30 $LAB_STATE/agent.log | sed 's/^/    agent| /'
    nfvcapd_log | tail -30
    return 1
}
check "the agent is connected" monitor_shows " ready " 30
check "capture start (dpdk, the VF's PCI address)" nfvcapctl capture start lab dpdk "$vf"
check "the capture runs" monitor_shows "running dpdk" 90
check_eq "the VF is bound to vfio-pci while DPDK has it" vfio-pci \
    "$(basename "$(readlink /sys/bus/pci/devices/$vf/driver)")"

i=0
sent=0
while [ $i -lt $frames ]; do
    payload=$(printf 'nfvcap-dpdk-%04d' $i | od -An -tx1 | tr -d ' \n')
    frame=$(printf '%s525400ab00fe88b5%s' "$vfmac" "$payload")
    while [ ${#frame} -lt 120 ]; do frame=${frame}00; done
    [ "$(lab_ctl wire-send 0 "$frame")" = ok ] && sent=$((sent + 1))
    i=$((i + 1))
done
check_eq "the host injected $frames frames" $frames $sent

# One look costs a python3 start (about 0.5 s under TCG): a few looks, a second apart.
seen=none
tries=0
while [ $tries -lt 20 ]; do
    if nfvcapctl stats lab --json >$LAB_STATE/stats.json; then
        seen=$(jget 'j["latest"]["engine"]["packets"]' $LAB_STATE/stats.json)
        [ "$seen" = $frames ] && break
    fi
    sleep 1
    tries=$((tries + 1))
done
if [ "$seen" = $frames ]; then
    lab_pass "nfvcapd counts them all"
else
    lab_fail "nfvcapd counts them all" "the engine counted $seen"
    sed 's/^/    stats| /' $LAB_STATE/stats.json
    ip -s link show | sed 's/^/    ip| /'
    tail -20 $LAB_STATE/agent.log | sed 's/^/    agent| /'
    nfvcapd_log | tail -20
fi
check_json $LAB_STATE/stats.json <<EOF
exactly what the host sent       | j["latest"]["engine"]["packets"]                      | $frames
the PMD agrees (xstats)          | j["latest"]["nic"]["rx_packets"]                      | $frames
the PMD is igbvf's               | "net_e1000_igb_vf" in j["latest"]["engine"]["source"] | true
a VF has no missed counter: null | j["latest"]["nic"]["rx_missed"]                       | null
no mbuf shortage                 | j["latest"]["engine"]["drops"]["nombuf"]              | 0
EOF
check "capture stop" nfvcapctl capture stop lab
back_to_igbvf() { [ "$(basename "$(readlink /sys/bus/pci/devices/$vf/driver)")" = igbvf ]; }
check "the VF goes back to igbvf" retry 30 back_to_igbvf
check "nfvcapd exits 0 on SIGTERM" nfvcapd_stop
kill "$agent_pid" 2>/dev/null
check "the agent exits 0 on SIGTERM" wait "$agent_pid"
