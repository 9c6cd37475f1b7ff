#!/usr/bin/env bash
# iiotctl evaluate against a real iiotd: every check has a result and its
# evidence; weakening one setting through the API (lockout after 50
# failures) turns exactly that check to fail and nothing else; the HTML
# report has a row per check; the exit status says whether all passed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
command -v sqlite3 >/dev/null || skip_all "sqlite3 missing"
CTL=$BIN/iiotctl
B=$(mktemp -d /tmp/iiot-eval.XXXXXX)
chmod 755 "$B"
cleanup_push "rm -rf $B"
"$CTL" backup keygen "$B/backup.key" >/dev/null
api_start "[backup]" "dir = $B/bak" "key_file = $B/backup.key" "interval = 0"
A=$D/admin
admin_enrol "$A" 'Evaluate-Test-Pw-1' || fail "admin enrolment" "$BODY"
"$CTL" backup create -f "$D/iiotd.conf" >/dev/null || fail "backup create"

fails() { jq -r '.checks[] | select(.result == "fail") | .id' "$1" | sort | tr '\n' ' '; }
"$CTL" evaluate -f "$D/iiotd.conf" --json --html "$B/report.html" >"$B/before.json"
rc=$?
n=$(jq '.checks | length' "$B/before.json")
[ "$n" -ge 12 ] && ok "$n checks: $(jq -r '[.checks[].id] | join(" ")' "$B/before.json")" ||
	fail "checks" "$(cat "$B/before.json")"
expect_eq "each has a result and evidence" \
	"$(jq '[.checks[] | select((.result == "pass" or .result == "fail") and (.evidence | length > 0))] | length' "$B/before.json")" "$n"
for id in mfa.roles mfa.enrolled lockout session.limits audit.chain audit.retention \
	tls.certificate backup.recent backup.restorable disk.headroom; do
	[ "$(jq -r ".checks[] | select(.id == \"$id\") | .result" "$B/before.json")" = pass ] || bad+=" $id"
done
[ -z "${bad-}" ] && ok "a fresh installation with MFA enrolled and a backup passes what it should" ||
	fail "expected passes" "failing:$bad $(fails "$B/before.json")"
jq -r '.checks[] | select(.id == "audit.chain") | .evidence' "$B/before.json" | grep -q '^intact: [1-9]' &&
	ok "audit evidence: $(jq -r '.checks[] | select(.id == "audit.chain") | .evidence' "$B/before.json")" ||
	fail "audit evidence" "$(jq -c '.checks[] | select(.id == "audit.chain")' "$B/before.json")"
expect_eq "the exit status follows the failures" "$rc" \
	"$([ "$(jq .failed "$B/before.json")" -gt 0 ] && echo 3 || echo 0)"
expect_eq "HTML report: a row per check" "$(grep -c '^<tr><td>' "$B/report.html")" "$n"

req "$A" PUT /settings '{"lockout.threshold":"50"}'
expect_eq "lockout weakened through the API" "$CODE" 200
"$CTL" evaluate -f "$D/iiotd.conf" --json >"$B/after.json"
new=$(comm -13 <(fails "$B/before.json" | tr ' ' '\n' | sort) <(fails "$B/after.json" | tr ' ' '\n' | sort) | tr -d '\n')
gone=$(comm -23 <(fails "$B/before.json" | tr ' ' '\n' | sort) <(fails "$B/after.json" | tr ' ' '\n' | sort) | tr -d '\n')
expect_eq "exactly that nonconformity is found" "$new|$gone" "lockout|"
expect_eq "with its evidence" "$(jq -r '.checks[] | select(.id == "lockout") | .evidence' "$B/after.json")" \
	"lockout.threshold = 50, lockout.minutes = 30"
echo "1..$_tap_n"
