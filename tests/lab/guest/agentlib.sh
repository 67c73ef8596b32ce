# shellcheck shell=dash
# Helpers for the agent scenarios (agent=nfvcapd in their lab header), sourced
# after lib.sh. nfvcap-agent runs in the guest on its real channel, the
# virtio-serial port org.nfvcap.agent.0; nfvcapd runs on the host with the
# monitor "lab" on QEMU's socket for that port, and is asked through
# host_nfvcapctl. So every figure checked here crossed the real port.
#
#   agent_vf PF MAC          creates VF 0 of PF, gives it MAC through the PF and
#                            brings it up; sets vf (its PCI address) and vfnet
#   agent_start [ARG...]     nfvcap-agent on its default channel, logging debug
#   agent_stop               SIGTERM; checks that it exits 0
#   monitor_shows TEXT LOOKS the host's `monitor list` shows TEXT (a look a second)
#   send_frames MAC TAG N    N 60-byte frames to MAC from the wire, payload TAG-NNNN;
#                            prints how many the harness injected
#   counted_all N LOOKS      the host's stats show N engine packets; leaves the
#                            document in $LAB_STATE/stats.json

agent_vf() {
    local _dev=/sys/bus/pci/devices/$1 _pfnet _probe _hex
    # No IPv6: the VF must see only what the host sends (no MLD or ND of its own).
    sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    _pfnet=$(ls "$_dev/net")
    # The VF gets its MAC before a driver has it, as a host does before a VM
    # starts: igbvf then learns it in the reset handshake of its probe. (Probed
    # at once by sriov_numvfs, igbvf can meet the PF still enabling SR-IOV,
    # and then sometimes never takes a MAC given later.)
    modprobe igbvf 2>/dev/null
    echo 0 >"$_dev/sriov_drivers_autoprobe"
    check "create 1 VF" sh -c "echo 1 > $_dev/sriov_numvfs"
    vf=$(basename "$(readlink "$_dev/virtfn0")")
    # An administered MAC, put by igb in a receive-address register with the
    # VF's pool, so that frames to it from the wire go to the VF.
    check "the VF gets a MAC from the PF" ip link set "$_pfnet" vf 0 mac "$2"
    # (The kernel probes no VF of a PF whose autoprobe is off, even on request.)
    echo 1 >"$_dev/sriov_drivers_autoprobe"
    check "igbvf binds the VF" sh -c "echo $vf > /sys/bus/pci/drivers_probe"
    check "the VF gets an interface" retry 15 test -d "/sys/bus/pci/devices/$vf/net"
    vfnet=$(ls "/sys/bus/pci/devices/$vf/net")
    check "the VF interface comes up" ip link set "$vfnet" up
    check "igbvf took the MAC" retry 20 grep -qx "$2" "/sys/class/net/$vfnet/address"
    grep -qx "$2" "/sys/class/net/$vfnet/address" || dmesg | tail -20 | sed 's/^/    dmesg| /'
    _hex=$(printf '%s' "$2" | tr -d :)
    _probe=${_hex}525400ab00fe88b5$(printf 'nfvcap-probe' | od -An -tx1 | tr -d ' \n')
    while [ ${#_probe} -lt 120 ]; do _probe=${_probe}00; done
    _agent_probe=$_probe
    check "a frame to the VF's MAC reaches the VF" retry 10 _reaches_vf
}

_reaches_vf() {
    local _rx=/sys/class/net/$vfnet/statistics/rx_packets _before
    _before=$(cat "$_rx")
    lab_ctl wire-send 0 "$_agent_probe" >/dev/null
    sleep 1
    [ "$(cat "$_rx")" -gt "$_before" ]
}

agent_start() {
    check "the agent's port has its udev name" test -c /dev/virtio-ports/org.nfvcap.agent.0
    # 7>&- 8>&-: the agent has no business with the lab's own ports.
    "$NFVCAP_BUILD_DIR/nfvcap-agent" --log-target stderr --log-level debug "$@" \
        >"$LAB_STATE/agent.log" 2>&1 7>&- 8>&- &
    _agent_pid=$!
}

agent_stop() {
    kill "$_agent_pid" 2>/dev/null
    check "the agent exits 0 on SIGTERM" wait "$_agent_pid"
}

_agent_logs() {
    tail -30 "$LAB_STATE/agent.log" | sed 's/^/    agent| /'
    host_nfvcapd_log | tail -30
}

monitor_shows() {
    local _n=0
    while [ $_n -lt "$2" ]; do
        host_nfvcapctl monitor list >"$LAB_STATE/monitors.txt" 2>&1 &&
            grep -q "$1" "$LAB_STATE/monitors.txt" && return 0
        sleep 1
        _n=$((_n + 1))
    done
    cat "$LAB_STATE/monitors.txt"
    _agent_logs
    return 1
}

send_frames() {
    local _hex _i=0 _sent=0 _payload _frame
    _hex=$(printf '%s' "$1" | tr -d :)
    while [ $_i -lt "$3" ]; do
        _payload=$(printf '%s-%04d' "$2" $_i | od -An -tx1 | tr -d ' \n')
        _frame=${_hex}525400ab00fe88b5${_payload}
        while [ ${#_frame} -lt 120 ]; do _frame=${_frame}00; done
        [ "$(lab_ctl wire-send 0 "$_frame")" = ok ] && _sent=$((_sent + 1))
        _i=$((_i + 1))
    done
    echo $_sent
}

# One look costs a round trip to the host and a python3 start (about 0.5 s
# under TCG): a few looks, a second apart.
counted_all() {
    local _seen=none _tries=0
    while [ $_tries -lt "$2" ]; do
        if host_nfvcapctl stats lab --json >"$LAB_STATE/stats.json"; then
            _seen=$(jget 'j["latest"]["engine"]["packets"]' "$LAB_STATE/stats.json")
            [ "$_seen" = "$1" ] && { lab_pass "nfvcapd on the host counts them all"; return 0; }
        fi
        sleep 1
        _tries=$((_tries + 1))
    done
    lab_fail "nfvcapd on the host counts them all" "the engine counted $_seen"
    sed 's/^/    stats| /' "$LAB_STATE/stats.json"
    ip -s link show | sed 's/^/    ip| /'
    _agent_logs
    return 1
}
