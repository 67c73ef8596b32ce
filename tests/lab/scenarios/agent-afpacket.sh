# shellcheck shell=dash
# nfvcap-agent in the guest captures with afpacket on a real igbvf VF: frames
# the host injects through QEMU's wire reach the VF, and the agent's stats
# reach nfvcapd on the host over the real virtio-serial port, with exact
# counts. The agent runs with its default channel, as in a monitoring VM, and
# when it restarts the host finds it again.
#
# lab: pfs=1 iomem=strict iommu=off timeout=180 needs=nfvcap agent=nfvcapd

# shellcheck source=tests/lab/guest/agentlib.sh  # sets vf and vfnet (agent_vf)
. "$LAB_GUEST_DIR/agentlib.sh"
pf=0000:01:00.0
mac=02:00:00:00:07:01
frames=30

agent_vf $pf $mac
agent_start
check "the agent is connected to the host's nfvcapd" monitor_shows " ready " 30
check "capture start (from the host)" host_nfvcapctl capture start lab afpacket "$vfnet"
check "the capture runs" monitor_shows "running afpacket" 30
check_eq "the host injected $frames frames" $frames "$(send_frames $mac nfvcap-agent $frames)"
counted_all $frames 10
check_json "$LAB_STATE/stats.json" <<EOF2
exactly what the host sent          | j["latest"]["engine"]["packets"]                   | $frames
their bytes (60 each, CRC stripped) | j["latest"]["engine"]["bytes"]                     | $((frames * 60))
no kernel drops                     | j["latest"]["engine"]["drops"]["socket_ring_full"] | 0
placed by the host's configuration  | [j["vm"], j["pf"], j["vf"]]                        | ["lab-guest","$pf",0]
the NIC figures are igbvf's own     | "(igbvf)" in j["latest"]["nic"]["source"]          | true
a VF has no missed counter: null    | j["latest"]["nic"]["rx_missed"]                    | null
EOF2

# The agent restarts while the VM runs: QEMU keeps nfvcapd's connection, so
# the host sees silence, asks for a hello, and sets the new agent capturing.
agent_stop
check "the host sees the agent fall silent" monitor_shows " stale " 15
agent_start
check "the new agent is capturing again" monitor_shows " ready .*running afpacket" 30
check_eq "the host injected 10 more frames" 10 "$(send_frames $mac nfvcap-again 10)"
counted_all 10 10
check "capture stop (from the host)" host_nfvcapctl capture stop lab
check "the host sees the capture stop" monitor_shows " ready .*idle" 15
agent_stop
