# shellcheck shell=dash
# nfvcap-agent in the guest captures with afpacket on a real igbvf VF: frames
# the host injects through QEMU's wire reach the VF, and the counts nfvcapd
# reports are exact. The agent serves its channel on a unix socket in the
# guest (as QEMU serves a VM's port) and nfvcapd, in the guest too, connects to
# it: the harness's end of the virtio-serial port is still an echo peer.
#
# lab: pfs=1 iomem=strict iommu=off timeout=180 needs=nfvcap

pf=0000:01:00.0
dev=/sys/bus/pci/devices/$pf
agent=$NFVCAP_BUILD_DIR/nfvcap-agent
frames=30

# No IPv6: the VF must see only what the host sends (no MLD or ND of its own).
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
check "create 1 VF" sh -c "echo 1 > $dev/sriov_numvfs"
vf=$(basename "$(readlink $dev/virtfn0)")
check "the VF binds igbvf and gets an interface" retry 15 test -d /sys/bus/pci/devices/$vf/net
vfnet=$(ls /sys/bus/pci/devices/$vf/net)
# An administered MAC, put by igb in a receive-address register with the VF's
# pool, so that frames to it from the wire go to the VF. igbvf takes it when
# its reset handshake with the PF completes, some seconds later under TCG;
# until then the model sends such frames to the PF's pool.
sleep 1
check "the VF gets a MAC from the PF" ip link set "$(ls $dev/net)" vf 0 mac 02:00:00:00:07:01
check "the VF interface comes up" ip link set "$vfnet" up
check "igbvf took the MAC" retry 20 grep -qx 02:00:00:00:07:01 /sys/class/net/"$vfnet"/address
vfmac=020000000701
rx=/sys/class/net/$vfnet/statistics/rx_packets
probe=${vfmac}525400ab00fe88b5$(printf 'nfvcap-probe' | od -An -tx1 | tr -d ' \n')
while [ ${#probe} -lt 120 ]; do probe=${probe}00; done
reaches_vf() {
    _before=$(cat $rx)
    lab_ctl wire-send 0 "$probe" >/dev/null
    sleep 1
    [ "$(cat $rx)" -gt "$_before" ]
}
check "a frame to the VF's MAC reaches the VF" retry 10 reaches_vf

"$agent" --channel listen:$LAB_STATE/agent.sock --log-target stderr --log-level debug \
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
check "capture start" nfvcapctl capture start lab afpacket "$vfnet"
check "the capture runs" monitor_shows "running afpacket" 30

# Unicast to the VF's MAC from the wire, EtherType 88b5, 60 bytes each.
i=0
sent=0
while [ $i -lt $frames ]; do
    payload=$(printf 'nfvcap-agent-%04d' $i | od -An -tx1 | tr -d ' \n')
    frame=$(printf '%s525400ab00fe88b5%s' "$vfmac" "$payload")
    while [ ${#frame} -lt 120 ]; do frame=${frame}00; done
    [ "$(lab_ctl wire-send 0 "$frame")" = ok ] && sent=$((sent + 1))
    i=$((i + 1))
done
check_eq "the host injected $frames frames" $frames $sent

# One look costs a python3 start (about 0.5 s under TCG): a few looks, a second apart.
seen=none
tries=0
while [ $tries -lt 10 ]; do
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
exactly what the host sent          | j["latest"]["engine"]["packets"]                  | $frames
their bytes (60 each, CRC stripped) | j["latest"]["engine"]["bytes"]                    | $((frames * 60))
no kernel drops                     | j["latest"]["engine"]["drops"]["socket_ring_full"] | 0
placed by nfvcapd's configuration   | [j["vm"], j["pf"], j["vf"]]                       | ["lab-guest","$pf",0]
the NIC figures are igbvf's own     | "(igbvf)" in j["latest"]["nic"]["source"]         | true
a VF has no missed counter: null    | j["latest"]["nic"]["rx_missed"]                   | null
EOF
check "capture stop" nfvcapctl capture stop lab
check "nfvcapd exits 0 on SIGTERM" nfvcapd_stop
kill "$agent_pid" 2>/dev/null
check "the agent exits 0 on SIGTERM" wait "$agent_pid"
