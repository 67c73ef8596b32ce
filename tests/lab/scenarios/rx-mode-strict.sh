# shellcheck shell=dash
# Without iomem=relaxed (the kernel's default, and a stock Debian host's),
# mapping a PF's BAR0 while igb owns it is refused: nfvcapd says why and what
# to do, and changes nothing.
#
# lab: pfs=1 iomem=strict iommu=off timeout=120 needs=nfvcap

pf=0000:01:00.0
out=/run/lab

check "nfvcapd starts" nfvcapd_start
check "vf create --count 1" nfvcapctl vf create $pf --count 1
check_eq "rxmode set is refused (exit 1)" 1 \
    "$(nfvcapctl rxmode set $pf 0 --bam off >/dev/null 2>$out/err; echo $?)"
check_match "the error explains strict /dev/mem" "CONFIG_IO_STRICT_DEVMEM" "$(cat $out/err)"
check_match "and what to do" "iomem=relaxed" "$(cat $out/err)"
check "nothing was recorded as desired" sh -c "! grep -q rx_modes /var/lib/nfvcap/state.json"
check_eq "the audit log is empty" "[]" "$(nfvcapctl audit $pf --json | jget 'j["records"]')"
check_eq "regs says the same (exit 1)" 1 "$(nfvcapctl regs $pf >/dev/null 2>&1; echo $?)"
check "nfvcapd exits 0 on SIGTERM" nfvcapd_stop
