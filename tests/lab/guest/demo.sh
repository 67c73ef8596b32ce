# shellcheck shell=dash
# The walk-through of `make demo` (tests/lab/demo), run inside the lab guest:
# what an operator sees when nfvcap meets an SR-IOV NIC. Narration lines
# start with ">>>", commands with "$"; everything else is the commands' output.
# Each step's outcome also goes to the results port, so the demo's exit status
# says whether every step worked.

failures=0

say() { printf '\n>>> %s\n' "$*"; }

# Shows a command the way an operator would type it, runs it, and records
# whether it worked.
step() {
    local _shown
    _shown=$1; shift
    printf '$ %s\n' "$_shown"
    if "$@"; then
        lab_result pass "$_shown"
    else
        local _st=$?
        printf '!!! that failed (exit status %s)\n' "$_st"
        lab_result fail "$_shown" "exit status $_st"
        failures=$((failures + 1))
    fi
}

say "This machine is a QEMU guest with an emulated Intel 82576 (QEMU's igb device)
    driven by Debian's own igb driver. Start the nfvcap daemon:"
step "nfvcapd --socket $NFVCAP_SOCKET &" nfvcapd_start

pf=$(pf_addrs | head -n 1)
if [ -z "$pf" ]; then
    say "No igb PF was found; the lab is broken (see the console above)."
    exit 1
fi
dev=/sys/bus/pci/devices/$pf

say "Which SR-IOV physical functions does this host have?"
step "nfvcapctl pf list" nfvcapctl pf list

say "The details of $pf: its SR-IOV capability says 8 VFs; the igb driver
    offers 7, as it keeps one pool for the PF itself."
step "nfvcapctl pf show $pf" nfvcapctl pf show "$pf"

say "Ask nfvcapd for 3 VFs. It writes sriov_numvfs, waits until igbvf has bound
    each VF and given it an interface, and keeps the count as desired state:"
step "nfvcapctl vf create $pf --count 3" nfvcapctl vf create "$pf" --count 3

say "The kernel placed them at offset 128, stride 2, and bound igbvf to each:"
step "ls -l $dev/ | grep virtfn" sh -c "ls -l $dev/ | grep virtfn | sed 's/.* virtfn/virtfn/'"
step "nfvcapctl vf list $pf" nfvcapctl vf list "$pf"

say "Make VF 0 a monitor port: its own MAC, VLAN 100 with priority 3, spoof
    checking off, trusted. All or nothing, read back through rtnetlink:"
step "nfvcapctl vf set $pf 0 --mac 02:00:00:00:aa:01 --vlan 100 --qos 3 --spoofchk off --trust on" \
    nfvcapctl vf set "$pf" 0 --mac 02:00:00:00:aa:01 --vlan 100 --qos 3 --spoofchk off --trust on

say "igb cannot force a VF's link state; nfvcapd says so instead of half-applying:"
printf '$ nfvcapctl vf set %s 0 --link-state disable\n' "$pf"
nfvcapctl vf set "$pf" 0 --link-state disable
step "  (refused with exit status 1, as it should be)" test $? -eq 1

say "Someone changes VF 0 behind nfvcapd's back with ip link..."
pfif=$(ls $dev/net)
step "ip link set $pfif vf 0 vlan 7" ip link set "$pfif" vf 0 vlan 7
say "...and nfvcapd's reconciler puts it back (it watches rtnetlink events):"
vlan_back() { ip link show "$pfif" | grep -q "vf 0 .*vlan 100"; }
step "wait until ip link shows vlan 100 again" retry 10 vlan_back
step "ip link show $pfif | grep 'vf 0'" sh -c "ip link show $pfif | grep 'vf 0'"
step "nfvcapctl status" nfvcapctl status

say "A monitor needs more than its own traffic. The kernel cannot give that on
    this NIC; nfvcapd can, by writing the pool's receive flags in the NIC's
    registers (checked against the 82576's register model, read back, audited):"
step "nfvcapctl rxmode set $pf 1 --mpe on --bam on" nfvcapctl rxmode set "$pf" 1 --mpe on --bam on
step "nfvcapctl audit $pf" nfvcapctl audit "$pf"
say "(QEMU's igb stores the multicast-promiscuous bit but does not act on it; on an
    82599 this is what lets a monitoring VM see all multicast. See docs/lab.md.)"

say "Now the monitoring VM. In production VF 2 would be passed to a VM that runs
    nfvcap-agent; here this guest plays that VM too. The agent's channel is a real
    virtio-serial port, and at its far end, outside this guest, is an nfvcapd on
    the lab's host (commands marked 'host:' run there). First give VF 2 an address
    from the PF, so that traffic for it reaches its pool:"
step "nfvcapctl vf set $pf 2 --mac 02:00:00:00:aa:03" nfvcapctl vf set "$pf" 2 --mac 02:00:00:00:aa:03
vf2=$(basename "$(readlink "$dev/virtfn2")")
say "igb gives a VF its address when the VF's driver starts, and asks for a reload
    after a change (a VM's driver starts after the host has set it up, so there
    this happens by itself). Here, reload igbvf on VF 2:"
igbvf=/sys/bus/pci/drivers/igbvf
step "echo $vf2 > $igbvf/unbind; echo $vf2 > $igbvf/bind" \
    sh -c "echo $vf2 > $igbvf/unbind && echo $vf2 > $igbvf/bind"
has_net() { vf2net=$(ls "/sys/bus/pci/devices/$vf2/net" 2>/dev/null) && [ -n "$vf2net" ]; }
retry 15 has_net
took_mac() { grep -qx 02:00:00:00:aa:03 "/sys/class/net/$vf2net/address"; }
# No IPv6 on the lab's interfaces: VF 2 is to see only what the wire sends it.
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
step "ip link set $vf2net up" ip link set "$vf2net" up
step "wait until $vf2net (VF 2, igbvf) has the address" retry 20 took_mac
step "ip -br link show $vf2net" ip -br link show "$vf2net"

# shellcheck source=tests/lab/guest/agentlib.sh
. "$LAB_GUEST_DIR/agentlib.sh"
start_agent() {
    # 7>&- 8>&-: the agent has no business with the lab's own ports.
    "$NFVCAP_BUILD_DIR/nfvcap-agent" --log-target stderr >"$LAB_STATE/agent.log" 2>&1 7>&- 8>&- &
    agent_pid=$!
}
stop_agent() { kill -TERM "$agent_pid" && wait "$agent_pid"; }
step "nfvcap-agent &     (its channel: /dev/virtio-ports/org.nfvcap.agent.0)" start_agent
step "host: wait until the monitor is connected" monitor_shows " ready " 30
step "host: nfvcapctl monitor list" host_nfvcapctl monitor list
step "host: nfvcapctl capture start lab afpacket $vf2net" \
    host_nfvcapctl capture start lab afpacket "$vf2net"
step "host: wait until the capture runs" monitor_shows " ready .*running afpacket" 30

say "Traffic arrives on the wire for VF 2: the lab's host injects 40 frames."
sent=$(send_frames 02:00:00:00:aa:03 nfvcap-demo 40)
step "40 frames sent" test "$sent" = 40
counted() {
    host_nfvcapctl stats lab --json >"$LAB_STATE/stats.json" &&
        [ "$(jget 'j["latest"]["engine"]["packets"]' "$LAB_STATE/stats.json")" -ge 40 ]
}
step "host: wait until nfvcapd has them all" retry 15 counted
say "What the host sees, live from inside the VM: the engine's own figures and
    the guest NIC's, each saying where it comes from:"
step "host: nfvcapctl stats" host_nfvcapctl stats
step "host: nfvcapctl capture stop lab" host_nfvcapctl capture stop lab
step "kill -TERM \$(pidof nfvcap-agent)" stop_agent

say "Give VF 0 its original settings back:"
step "nfvcapctl vf reset $pf 0" nfvcapctl vf reset "$pf" 0

say "Stop the daemon (SIGTERM) and power off."
step "kill -TERM \$(pidof nfvcapd)" nfvcapd_stop

if [ "$failures" -eq 0 ]; then
    say "Demo complete: every step worked."
else
    say "Demo complete, but $failures step(s) failed (see '!!!' above)."
fi
[ "$failures" -eq 0 ]
