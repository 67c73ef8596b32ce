# Sourced by the install scripts. Defines ensure_backports: adds the
# bookworm-backports suite from the same URIs as the machine's existing Debian
# source (deb822 or one-line format), so no archive host is named in this
# repository. Packages are only taken from backports when asked for with -t.

ensure_backports() {
    dest=/etc/apt/sources.list.d/nfvcap-backports.list
    [ -f "$dest" ] && return 0
    uri=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        # The first stanza whose Suites name the base release (not -security).
        uri=$(awk '
            /^URIs:/   { u = $2 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") { print u; exit } }
        ' /etc/apt/sources.list.d/debian.sources)
    fi
    if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
        uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list)
    fi
    if [ -z "$uri" ]; then
        echo "install-deps: cannot find the machine's Debian bookworm source to derive backports from" >&2
        return 1
    fi
    echo "deb $uri bookworm-backports main" > "$dest"
    apt-get update -qq
}
