# TAP helpers for shell tests (source from tests/<component>/*.t).
#   ok "what" | fail "what" [details] | skip "what" "why"
#   check "what" cmd args...    ok when cmd succeeds
#   expect_eq "what" got want
#   skip_all "why"              skip the whole file (missing pcaps, ...)
#   cleanup_push "cmd"          run at exit, newest first, even on failure
IIOT_TOP=${IIOT_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$IIOT_TOP/$BUILD ;; esac
BIN=$BUILD/bin
SHARED=${IIOT_SHARED:-$IIOT_TOP/../shared}
PCAPS=$SHARED/pcaps
_tap_n=0
_cleanups=()

ok()   { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1"; }
fail() { _tap_n=$((_tap_n + 1)); echo "not ok $_tap_n - $1"; shift; [ $# -gt 0 ] && printf '# %s\n' "$@"; return 0; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1 # SKIP $2"; }
skip_all() { echo "ok 1 - ${0##*/} # SKIP $1"; exit 0; }

check() {
	local what=$1; shift
	local out
	if out=$("$@" 2>&1); then ok "$what"; else fail "$what" "command: $*" "$(echo "$out" | tail -5)"; fi
}

expect_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else fail "$1" "got:  $2" "want: $3"; fi
}

cleanup_push() { _cleanups=("$1" "${_cleanups[@]}"); }
_run_cleanups() { local c; for c in "${_cleanups[@]}"; do eval "$c" >/dev/null 2>&1 || true; done; }
trap _run_cleanups EXIT

# Captures in ../shared/pcaps, or nothing when the folder is absent.
shared_pcaps() { ls "$PCAPS"/*.pcap "$PCAPS"/*.pcapng 2>/dev/null || true; }

# systemd_unit_check UNIT MAX: systemd-analyze verify is clean on the unit
# file and its offline security exposure is at most MAX (docs/operations.md)
systemd_unit_check() {
	local unit=$1 max=$2 out e
	if ! command -v systemd-analyze >/dev/null; then
		skip "systemd-analyze verify and security" "systemd-analyze missing"
		return 0
	fi
	out=$(systemd-analyze verify "$unit" 2>&1)
	[ -z "$out" ] && ok "systemd-analyze verify: clean" || fail "systemd-analyze verify" "$out"
	e=$(systemd-analyze security --offline=yes "$unit" 2>/dev/null |
		sed -n 's/.*exposure level for .*: \([0-9.]*\).*/\1/p')
	[ -n "$e" ] && awk -v e="$e" -v m="$max" 'BEGIN { exit !(e <= m) }' &&
		ok "systemd-analyze security: exposure $e (at most $max, docs/operations.md)" ||
		fail "systemd-analyze security exposure" "${e:-none}"
}
