#!/usr/bin/env bash
# iiotd's scheduled self-evaluation through the API: the first run at
# start ([evaluate] delay = 0) opens a nonconformity per failing check,
# each alerted once; the health says how old the last evaluation is;
# weakening one setting and running now opens exactly that nonconformity
# with its evidence; an admin closes it with the corrective action
# (audited, its alert cleared, 409 the second time); the next failing run
# reopens it, a passing one after a fix verifies it; the run's HTML report
# has a row per check; the responses match docs/openapi.yaml.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
api_start "[evaluate]" "interval = 1h" "delay = 0"
A=$D/admin
admin_enrol "$A" 'Evaluation-Test-Pw-1' || fail "admin enrolment" "$BODY"

# runs_after N: waits for more than N runs, prints the newest run's id
runs_after() {
	local i
	for i in $(seq 1 300); do
		req "$A" GET /evaluation/runs
		[ "$(jf '.runs | length')" -gt "$1" ] && { jf '.runs[0].id'; return 0; }
		sleep 0.1
	done
	return 1
}
failing() { req "$A" GET "/evaluation/runs/$1"; jf '[.checks[] | select(.result == "fail") | .id] | sort | join(" ")'; }
open_ncs() { req "$A" GET '/evaluation/nonconformities?state=open'; jf '[.nonconformities[].check] | sort | join(" ")'; }
nc_alerts() { req "$A" GET "/alerts?rule=eval.nonconformity&limit=1000"; jf "[.alerts[] | select(.state == \"$1\") | .device] | sort | join(\" \")"; }

r1=$(runs_after 0) || fail "a scheduled run at start" "$BODY"
expect_eq "made by the schedule" "$(jf '.runs[0].trigger')" schedule
f1=$(failing "$r1")
expect_eq "its checks: ids, results and evidence" \
	"$(jf '[.checks[] | select(.id != null and .evidence != "")] | length >= 12')" true
expect_eq "a nonconformity open for each failing check" "$(open_ncs)" "$f1"
expect_eq "each alerted (eval.nonconformity)" "$(nc_alerts active-unack)" "$f1"
req "$A" GET /health
jf '.checks[] | select(.name == "evaluation") | .status + " " + .reason' | grep -q '^ok last evaluation [0-9]*s ago' &&
	ok "health: $(jf '.checks[] | select(.name == "evaluation") | .reason')" ||
	fail "health evaluation check" "$BODY"

# the admin enrolled since: what fails now, then with lockout weakened
req "$A" POST /evaluation/runs
expect_eq "a run now" "$CODE $(jf .queued)" "202 true"
r1b=$(runs_after 1) || fail "the run asked for" "$BODY"
expect_eq "made on demand by admin" "$(jf '.runs[0].trigger')" "demand by admin"
f1b=$(failing "$r1b")
req "$A" PUT /settings '{"lockout.threshold":"50"}'
req "$A" POST /evaluation/runs
r2=$(runs_after 2) || fail "the run asked for" "$BODY"
expect_eq "exactly the weakened lockout is new" "$(failing "$r2")" \
	"$(printf '%s\n' $f1b lockout | sort | tr '\n' ' ' | sed 's/ $//')"
req "$A" GET '/evaluation/nonconformities?state=open'
id=$(jf '.nonconformities[] | select(.check == "lockout") | .id')
expect_eq "its nonconformity with the evidence" \
	"$(jf '.nonconformities[] | select(.check == "lockout") | [.opened_run, .evidence] | join(" ")')" \
	"$r2 lockout.threshold = 50, lockout.minutes = 30"
expect_eq "its alert" "$(nc_alerts active-unack | grep -ow lockout)" lockout

req "$A" POST "/evaluation/nonconformities/$id/close" '{"action":"threshold back to 5"}'
expect_eq "closed by the admin" "$CODE $(jf '[.state, .closed_by, .action] | join(",")')" \
	"200 closed,admin,threshold back to 5"
req "$A" GET '/audit?limit=20'
expect_eq "audited with the action" \
	"$(jf ".entries[] | select(.target == \"nonconformity $id\" and .result == \"ok\") | [.action, (.detail | tostring | contains(\"threshold back to 5\"))] | join(\" \")" | head -1)" \
	"POST /api/v1/evaluation/nonconformities/$id/close true"
expect_eq "its alert cleared" "$(nc_alerts active-unack | grep -ow lockout)" ""
req "$A" POST "/evaluation/nonconformities/$id/close" '{"action":"again"}'
expect_eq "closing it twice" "$CODE" 409
req "$A" POST "/evaluation/nonconformities/$id/close" '{"action":""}'
expect_eq "an empty action" "$CODE" 400

# the threshold was not put back: the next run reopens it
req "$A" POST /evaluation/runs
r3=$(runs_after 3)
req "$A" GET "/evaluation/nonconformities?state=all"
expect_eq "the fix did not hold: reopened" \
	"$(jf ".nonconformities[] | select(.id == $id) | [.state, .reopened, .last_run] | join(\" \")")" "open 1 $r3"
expect_eq "alerted again" "$(nc_alerts active-unack | grep -ow lockout)" lockout

req "$A" PUT /settings '{"lockout.threshold":"5"}'
req "$A" POST "/evaluation/nonconformities/$id/close" '{"action":"threshold really back to 5"}'
req "$A" POST /evaluation/runs
r4=$(runs_after 4)
req "$A" GET "/evaluation/nonconformities?state=verified"
expect_eq "fixed and verified by the next run" \
	"$(jf ".nonconformities[] | select(.id == $id) | [.state, .last_result, (.verified_ms > 0)] | join(\" \")")" \
	"verified pass true"
expect_eq "the others still open" "$(open_ncs)" \
	"$(printf '%s\n' $f1 $f1b | sort -u | tr '\n' ' ' | sed 's/ $//')"

req "$A" GET "/evaluation/runs/$r4?format=html"
expect_eq "HTML report: a row per check" "$(grep -c '^<tr><td>' "$D/out")" \
	"$(req "$A" GET "/evaluation/runs/$r4"; jf '.checks | length')"
req "$A" GET /evaluation/runs/0
expect_eq "a bad run id" "$CODE" 400
req "$A" GET '/evaluation/nonconformities?state=bogus'
expect_eq "a bad state" "$CODE" 400
expect_eq "eval.db is private" "$(stat -c %a "$D/eval.db")" 600
openapi_check
echo "1..$_tap_n"
