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

say "nfvcapd cannot create VFs yet, so do it the way the kernel documents:"
step "echo 3 > $dev/sriov_numvfs" sh -c "echo 3 > $dev/sriov_numvfs"

say "The kernel placed them at offset 128, stride 2, and bound igbvf to each:"
step "ls -l $dev | grep virtfn" sh -c "ls -l $dev | grep virtfn | sed 's/.* virtfn/virtfn/'"

say "nfvcapd sees the same VFs, with their drivers and network interfaces:"
# It learns of new VFs from kernel events; give it a moment if needed.
retry 5 sh -c "'$NFVCAP_BUILD_DIR/nfvcapctl' vf list $pf --json | grep -q 10.4" 2>/dev/null
step "nfvcapctl vf list $pf" nfvcapctl vf list "$pf"

say "Stop the daemon (SIGTERM) and power off."
step "kill -TERM \$(pidof nfvcapd)" nfvcapd_stop

if [ "$failures" -eq 0 ]; then
    say "Demo complete: every step worked."
else
    say "Demo complete, but $failures step(s) failed (see '!!!' above)."
fi
[ "$failures" -eq 0 ]
