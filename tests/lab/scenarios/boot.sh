# shellcheck shell=dash
# The lab itself, without nfvcap: the guest boots, its igb PF is there with
# igb bound and SR-IOV capable, and the agent port reaches the host and back.
#
# lab: pfs=1 iomem=strict iommu=off timeout=60

pf=0000:01:00.0
check "PF $pf is present" test -d /sys/bus/pci/devices/$pf
check_eq "PF $pf is an 82576 (8086:10c9)" "0x8086:0x10c9" \
    "$(cat /sys/bus/pci/devices/$pf/vendor):$(cat /sys/bus/pci/devices/$pf/device)"
check_eq "PF $pf is bound to igb" igb "$(basename "$(readlink /sys/bus/pci/devices/$pf/driver)")"
check_eq "igb offers 7 VFs on $pf" 7 "$(cat /sys/bus/pci/devices/$pf/sriov_totalvfs)"
check "PF $pf has a netdev" ls /sys/bus/pci/devices/$pf/net
check "the guest runs the kernel the harness unpacked" test -d "/lib/modules/$(uname -r)/kernel"
check "the root is the host's, under a tmpfs overlay" grep -q "^overlay / overlay" /proc/mounts
# iomem strict (the kernel default, as on a stock host): mapping the BAR of a
# device that igb owns is refused. The iommu-bar scenario checks relaxed.
check_match "BAR0 cannot be mapped while igb owns it (iomem strict)" "Invalid argument" \
    "$(bar read $pf 8 2>&1)"
check "the agent port carries a line to the host and back" lab_agent_echo "hello from $(uname -r)"
check_eq "the control port answers" "pong lab" "$(lab_ctl ping lab)"
