# shellcheck shell=dash
# The harness's end of a PF's cable (no nfvcap): a frame the guest sends on the
# PF reaches the host, and a frame the host injects reaches the PF. Later
# scenarios build on this to test filters and VF traffic.
#
# lab: pfs=1 iomem=strict iommu=off timeout=60

pf=0000:01:00.0
netdev=$(ls /sys/bus/pci/devices/$pf/net)
mac=$(tr -d : <"/sys/class/net/$netdev/address")

# Broadcast frames of the IEEE "local experimental" EtherType 88b5, each with
# a payload that names its direction.
out_payload=$(printf 'nfvcap-lab-out' | od -An -tx1 | tr -d ' \n')
in_payload=$(printf 'nfvcap-lab-in' | od -An -tx1 | tr -d ' \n')
out_frame=ffffffffffff${mac}88b5${out_payload}
in_frame=ffffffffffff525400ab00fe88b5${in_payload}

check_eq "the control port answers" "pong wire" "$(lab_ctl ping wire)"
check_eq "the wire starts empty" ok "$(lab_ctl wire-clear 0)"

check "the guest sends a frame on $netdev" rawframe send "$netdev" "$out_frame"
check_match "the host sees it leave PF 0" "^${out_frame}" "$(lab_ctl wire-expect 0 5 "$out_payload")"

ready=/run/lab/rawframe.ready
rawframe recv "$netdev" 10 "$in_payload" "$ready" >/run/lab/in.hex 2>&1 &
receiver=$!
check "the guest listens on $netdev" retry 10 test -e "$ready"
check_eq "the host injects a frame into PF 0" ok "$(lab_ctl wire-send 0 "$in_frame")"
check "the guest receives it on $netdev" wait $receiver
check_match "it arrives unchanged" "^${in_frame}" "$(cat /run/lab/in.hex)"
