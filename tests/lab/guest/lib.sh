# shellcheck shell=dash
# shellcheck disable=SC2154  # lab_root, lab_build: from the kernel command line
# Helpers for lab scenarios (POSIX sh), sourced by stage 2 before the scenario.
#
# Checks -- each one reports a result to the host:
#   check NAME COMMAND [ARG...]      passes if COMMAND exits 0 (its output is
#                                    shown in the console log when it fails)
#   check_eq NAME EXPECTED ACTUAL    passes if the two strings are equal
#   check_match NAME REGEX ACTUAL    passes if ACTUAL matches the extended REGEX
#   check_json FILE <<EOF            one check per line "NAME | EXPR | EXPECTED",
#   ...                              EXPR a Python expression over the JSON
#   EOF                              document `j` (see ./jget)
#
# Tools:
#   capture FILE COMMAND [ARG...]    COMMAND's stdout to FILE; on failure its
#                                    stderr and stdout are shown
#   retry SECONDS COMMAND [ARG...]   COMMAND every 0.1 s until it succeeds
#   jget EXPR [FILE]                 one value out of a JSON document
#   bar read|write ADDR OFFSET [VALUE]  a 32-bit register in a device's BAR0
#   rawframe send|recv IFACE ...     raw Ethernet frames (see ./rawframe)
#   note TEXT...                     narration in the console log
#   run COMMAND [ARG...]             shows "$ COMMAND" and runs it
#   pf_addrs                         the igb PFs' PCI addresses, one a line
#   nfvcapd_start / nfvcapd_stop     the daemon under test, on $NFVCAP_SOCKET
#   nfvcapctl ARG...                 the CLI under test, on $NFVCAP_SOCKET
#   lab_agent_echo LINE              LINE to the host's end of the agent port and back
#   lab_ctl REQUEST                  ask the harness (wire-send, wire-expect, ...)
#   host_nfvcapctl ARG...            the CLI against the host's nfvcapd (agent=nfvcapd)
#   host_nfvcapd_log                 the end of the host nfvcapd's log
#
# Results travel over a virtio-serial port whose host end is a plain file, one
# tab-separated line each: they arrive in order and cannot be garbled by kernel
# messages on the console.
#
# Variables local to these helpers start with _ because sh's `local` is
# dynamically scoped: a helper's `out` would shadow the scenario's `out` in any
# function the helper calls, such as one passed to retry.

LAB_GUEST_DIR="$lab_root/tests/lab/guest"
LAB_STATE=/run/lab
NFVCAP_BUILD_DIR=${lab_build:-$lab_root/build}
NFVCAP_SOCKET=/run/nfvcap/nfvcapd.sock
export NFVCAP_SOCKET

# The /dev node of the virtio-serial port with the given name. Without udev
# there are no /dev/virtio-ports/<name> links; sysfs has the names.
lab_port() {
    local _p _n
    for _p in /sys/class/virtio-ports/*; do
        read -r _n <"$_p/name" 2>/dev/null || continue
        [ "$_n" = "$1" ] && { echo "/dev/${_p##*/}"; return 0; }
    done
    return 1
}

# The links udev makes for named virtio-serial ports, so that programs find
# /dev/virtio-ports/<name> here as in a VM with udev (nfvcap-agent's default).
lab_port_links() {
    local _p _n
    mkdir -p /dev/virtio-ports
    for _p in /sys/class/virtio-ports/*; do
        read -r _n <"$_p/name" 2>/dev/null || continue
        [ -n "$_n" ] && ln -sf "../${_p##*/}" "/dev/virtio-ports/$_n"
    done
}

# fd 7: results (guest -> host file); fd 8: the harness's control channel.
lab_open_ports() {
    local _results _ctl
    mkdir -p "$LAB_STATE"
    lab_port_links
    _results=$(lab_port org.nfvcap.lab.results) || return 1
    _ctl=$(lab_port org.nfvcap.lab.ctl) || return 1
    exec 7>"$_results" 8<>"$_ctl"
}

# Tabs and newlines would break the line format; flatten them.
lab_flat() { printf '%s' "$*" | tr '\t\n' '  '; }

lab_result() {
    printf '%s\t%s\t%s\n' "$1" "$(lab_flat "$2")" "$(lab_flat "$3")" >&7
}

lab_pass() {
    echo "[check] PASS $1"
    lab_result pass "$1"
}

lab_fail() {
    echo "[check] FAIL $1: $2"
    lab_result fail "$1" "$2"
}

check() {
    local _name _out _st
    _name=$1; shift
    _out=$LAB_STATE/check.out
    if "$@" >"$_out" 2>&1; then
        lab_pass "$_name"
    else
        _st=$?
        lab_fail "$_name" "exit status $_st from: $*"
        sed 's/^/    | /' "$_out"
    fi
}

check_eq() {
    if [ "$2" = "$3" ]; then
        lab_pass "$1"
    else
        lab_fail "$1" "expected '$2', got '$3'"
    fi
}

check_match() {
    if printf '%s\n' "$3" | grep -Eq -- "$2"; then
        lab_pass "$1"
    else
        lab_fail "$1" "'$3' does not match /$2/"
    fi
}

check_json() {
    local _kind _name _why _tab
    _tab=$(printf '\t')
    python3 "$LAB_GUEST_DIR/jget" --check "$1" >"$LAB_STATE/jcheck.out" 2>&1 ||
        lab_fail "JSON checks on $1" "$(cat "$LAB_STATE/jcheck.out")"
    while IFS=$_tab read -r _kind _name _why; do
        case $_kind in
            pass) lab_pass "$_name" ;;
            fail) lab_fail "$_name" "$_why" ;;
        esac
    done <"$LAB_STATE/jcheck.out"
}

capture() {
    local _file _st
    _file=$1; shift
    "$@" >"$_file" 2>"$_file.err" && return 0
    _st=$?
    cat "$_file.err" "$_file"
    return "$_st"
}

retry() {
    local _limit _i
    _limit=$(($1 * 10)); shift
    _i=0
    until "$@"; do
        _i=$((_i + 1))
        [ "$_i" -ge "$_limit" ] && return 1
        sleep 0.1
    done
}

jget() { python3 "$LAB_GUEST_DIR/jget" "$@"; }
bar() { python3 "$LAB_GUEST_DIR/bar" "$@"; }
rawframe() { python3 "$LAB_GUEST_DIR/rawframe" "$@"; }

note() { echo "[note] $*"; }

run() {
    echo "[run] \$ $*"
    "$@"
}

pf_addrs() {
    local _d
    for _d in /sys/bus/pci/drivers/igb/0000:*; do
        [ -e "$_d" ] && echo "${_d##*/}"
    done
}

# Starts nfvcapd in the background and waits for its socket, which appears
# once it is ready to serve. Its log goes to /run/lab/nfvcapd.log and is shown
# when it does not come up (nfvcapd_log shows it at any time).
nfvcapd_start() {
    mkdir -p "${NFVCAP_SOCKET%/*}"
    rm -f "$NFVCAP_SOCKET"
    # 7>&- 8>&-: the daemon has no business with the lab's ports.
    "$NFVCAP_BUILD_DIR/nfvcapd" --socket "$NFVCAP_SOCKET" --sysfs-root /sys \
        --log-target stderr --log-level debug "$@" >"$LAB_STATE/nfvcapd.log" 2>&1 7>&- 8>&- &
    echo $! >"$LAB_STATE/nfvcapd.pid"
    retry 15 test -S "$NFVCAP_SOCKET" && return 0
    echo "nfvcapd did not create $NFVCAP_SOCKET within 15 s"
    nfvcapd_log
    return 1
}

# SIGTERM, then up to 5 s for nfvcapd to exit. Fails on a timeout, and on a
# non-zero exit status when the caller's shell started the daemon (only then
# can `wait` see the status).
nfvcapd_stop() {
    local _pid _i
    [ -f "$LAB_STATE/nfvcapd.pid" ] || return 0
    _pid=$(cat "$LAB_STATE/nfvcapd.pid")
    rm -f "$LAB_STATE/nfvcapd.pid"
    kill -TERM "$_pid" 2>/dev/null || { echo "nfvcapd (pid $_pid) was not running"; return 1; }
    _i=0
    while kill -0 "$_pid" 2>/dev/null; do
        _i=$((_i + 1))
        if [ "$_i" -gt 50 ]; then
            echo "nfvcapd did not exit within 5 s of SIGTERM"
            kill -KILL "$_pid"
            nfvcapd_log
            return 1
        fi
        sleep 0.1
    done
    wait "$_pid" 2>/dev/null
}

nfvcapctl() { "$NFVCAP_BUILD_DIR/nfvcapctl" --socket "$NFVCAP_SOCKET" "$@"; }

nfvcapd_log() { sed 's/^/    nfvcapd| /' "$LAB_STATE/nfvcapd.log" 2>/dev/null; }

# One request to the harness over the control port; prints the reply. The
# harness always replies, so this does not hang (see labkit/hostside.py):
#   ping TEXT -> pong TEXT
#   wire-send PF HEX -> ok                 a frame from the wire into PF (0-based)
#   wire-expect PF SECONDS HEX -> HEX|timeout   a frame PF sent that contains HEX
#   wire-clear PF -> ok                    forget the frames PF sent so far
#   host-ctl ARG... -> rc N B64            (agent=nfvcapd) see host_nfvcapctl
#   host-log -> B64                        (agent=nfvcapd) see host_nfvcapd_log
lab_ctl() {
    local _reply
    printf '%s\n' "$*" >&8
    IFS= read -r _reply <&8
    printf '%s\n' "$_reply"
}

# Sends LINE to the host end of org.nfvcap.agent.0 (an echo peer in the
# harness) and expects the same line back within 10 s.
lab_agent_echo() {
    local _port _got
    _port=$(lab_port org.nfvcap.agent.0) || { echo "no org.nfvcap.agent.0 port"; return 1; }
    # A child shell, so that timeout can end a read that never returns.
    # shellcheck disable=SC2016  # $1 and $2 are the child's
    _got=$(timeout 10 sh -c 'exec 3<>"$1"; printf "%s\n" "$2" >&3; IFS= read -r l <&3; printf "%s" "$l"' \
        _ "$_port" "$1")
    [ "$_got" = "$1" ] || { echo "sent '$1', got back '$_got'"; return 1; }
}

# nfvcapctl ARG... run by the harness against the nfvcapd on the host, the one
# connected to this guest's agent port (scenarios with agent=nfvcapd). Prints
# its output and returns its exit status, as if it ran here.
host_nfvcapctl() {
    local _reply _rc
    _reply=$(lab_ctl host-ctl "$@")
    case "$_reply" in
    "rc "*) ;;
    *) echo "host-ctl: $_reply"; return 1 ;;
    esac
    _rc=${_reply#rc }
    _rc=${_rc%% *}
    printf '%s' "${_reply#rc "$_rc" }" | base64 -d
    return "$_rc"
}

host_nfvcapd_log() {
    lab_ctl host-log | base64 -d | sed 's/^/    host nfvcapd| /'
}
