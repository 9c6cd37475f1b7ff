# Sourced by tests that need a shift to end soon (reports.t, web/analytics.t):
#   short_shifts FILE SECONDS
# appends to FILE (an OEE file) shift a, midnight to SECONDS from now, and
# shift b from then to midnight; sets SHIFT_END (s since the epoch); skips
# the test too near midnight for that.
short_shifts() {
	local now at
	now=$(date +%s)
	[ $((10#$(date -d "@$now" +%H) * 3600 + 10#$(date -d "@$now" +%M) * 60)) -lt $((86400 - 4 * $2)) ] ||
		skip_all "too near midnight for a shift ending in $2 s"
	SHIFT_END=$((now + $2))
	at=$(date -d "@$SHIFT_END" +%T)
	printf '\n[shift.a]\nstart = 00:00\nend = %s\n\n[shift.b]\nstart = %s\nend = 00:00\n' "$at" "$at" >>"$1"
}
