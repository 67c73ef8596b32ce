# shellcheck shell=dash
# The lab's other two topology options (no nfvcap): with a virtual IOMMU each
# VF gets an IOMMU group of its own (what vfio needs), and with iomem=relaxed
# user space can map the PF's BAR0 while igb owns it (what nfvcapd's register
# access needs). The boot scenario checks the strict case.
#
# lab: pfs=1 iomem=relaxed iommu=on timeout=90

pf=0000:01:00.0
dev=/sys/bus/pci/devices/$pf

check "the kernel has the IOMMU on" test -d /sys/class/iommu/dmar0
check "the PF is in an IOMMU group" test -e $dev/iommu_group

check "echo 2 > sriov_numvfs" sh -c "echo 2 > $dev/sriov_numvfs"
groups=""
for i in 0 1; do
    groups="$groups $(basename "$(readlink $dev/virtfn$i/iommu_group)")"
done
check_match "each VF has an IOMMU group of its own" '^ ([0-9]+) ([0-9]+)$' "$groups"
# shellcheck disable=SC2086  # split into the two group numbers
set -- $groups
check "the two VF groups differ" test "$1" != "$2"

# STATUS (0x0008), bit 1: link up (82576 datasheet, 8.2.2); stage 2 set it up.
status=$(bar read $pf 8)
check_match "BAR0 maps with iomem=relaxed; STATUS reads" '^0x[0-9a-f]{8}$' "$status"
check "STATUS says link up" test $((status & 2)) -ne 0
# VMOLR(0) (0x5AD0): flip BAM (bit 27), read it back, restore it.
old=$(bar read $pf 5ad0)
new=$(printf '%08x' $((old ^ 0x08000000)))
check "VMOLR(0) takes a write" bar write $pf 5ad0 "$new"
check_eq "VMOLR(0) reads back what was written" "0x$new" "$(bar read $pf 5ad0)"
bar write $pf 5ad0 "${old#0x}"
