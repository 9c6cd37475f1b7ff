#!/usr/bin/env bash
# Background jobs against a real iiotd with a 1,000,000-row audit log
# (bench/auditfill.py): POST /audit/verify answers 202 with a job at once,
# health is answered while the chain is walked, progress advances, the
# result is right and finds a tampered row, DELETE cancels, the number of
# jobs at once is bounded (429 with a reason), jobs are audited and read
# only by their owner with the starting route's permission.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
command -v sqlite3 >/dev/null || skip_all "sqlite3 missing"
ROWS=1000000
api_start
api_stop
# the big log in place of the fresh one (the first-run row goes with it)
python3 "$IIOT_TOP/bench/auditfill.py" "$D/big.db" $ROWS || skip_all "auditfill failed"
rm -f "$D"/audit.db*
mv "$D/big.db" "$D/audit.db"
chown --reference="$D/auth.db" "$D/audit.db" 2>/dev/null
chmod 600 "$D/audit.db"
"$IIOTD" -d -f "$D/iiotd.conf" >>"$D/iiotd.log" 2>&1 &
IIOTD_PID=$!
cleanup_push "kill $IIOTD_PID; wait $IIOTD_PID"
for _ in $(seq 300); do curl -sk -o /dev/null "$URL/api/v1/health" && break; sleep 0.1; done

ADM=$(token adm admin)
AUD=$(token aud auditor)
AUD2=$(token aud2 auditor)
VIEW=$(token view viewer)
N=$D/none
as() { local t=$1 m=$2 p=$3; shift 3; req "$N" "$m" "$p" "" -H "Authorization: Bearer $t" "$@"; }
count_rows() { sqlite3 "$D/audit.db" "SELECT count(*) FROM audit WHERE $1"; }

# start, then health while it runs
as "$AUD" POST /audit/verify
expect_eq "verify starts a job: 202 at once" "$CODE $(jf .kind) $(jf .state)" "202 audit.verify running"
ID=$(jf .id)
check "the job's id is 16 hex digits" grep -qE '^[0-9a-f]{16}$' <<<"$ID"
req "$N" GET /health
hcode=$CODE
as "$AUD" GET "/jobs/$ID"
expect_eq "health answered (200/503) while the chain is still being walked" \
	"$([ "$hcode" != 000 ] && echo answered) $(jf .state)" "answered running"

# progress advances while running, never backwards
prev=-1 steps=0 back=0 total=0
for _ in $(seq 1200); do
	as "$AUD" GET "/jobs/$ID"
	[ "$(jf .state)" = running ] || break
	d=$(jf .progress.done)
	total=$(jf .progress.total)
	[ "$d" -lt "$prev" ] && back=1
	[ "$d" -gt "$prev" ] && [ "$d" -lt "$total" ] && steps=$((steps + 1))
	prev=$d
	sleep 0.05
done
check "progress seen advancing below the total ($steps steps)" [ $steps -ge 2 ]
expect_eq "progress never goes back" "$back" 0
# the head as the job read it: the start's own audit row is committed by
# the writer beside the job (at nice 10), before or after it reads the head
check "total from the chain's head: every row ($total)" \
	[ "$total" = "$ROWS" -o "$total" = "$((ROWS + 1))" ]
job_wait "$N" "$ID" -H "Authorization: Bearer $AUD"
as "$AUD" GET "/jobs/$ID"
expect_eq "the job ends done, intact, every row walked" \
	"$(jf .state) $(jf .result.intact) $(jf .result.rows) $(jf .progress.done)" "done true $total $total"
expect_eq "start and end audited" \
	"$(count_rows "action = 'POST /api/v1/audit/verify' AND target = 'job:$ID'") $(count_rows "action = 'job.audit.verify' AND target = 'job:$ID' AND result = 'ok' AND user = 'token:aud'")" "1 1"

# visibility: the owner (and a user admin) only, with audit.read
as "$AUD2" GET "/jobs/$ID"
expect_eq "another auditor does not see it" "$CODE" 404
as "$ADM" GET "/jobs/$ID"
expect_eq "an admin does" "$CODE" 200
as "$VIEW" GET "/jobs/$ID"
expect_eq "a viewer (no audit.read) does not" "$CODE" 404
as "$VIEW" POST /audit/verify
expect_eq "a viewer cannot start one: the route's permission" "$CODE" 403
as "$AUD2" GET /jobs
expect_eq "the other auditor's list is empty" "$(jf '.jobs | length')" 0
as "$AUD" GET /jobs
expect_eq "the owner's list has it" "$(jf '.jobs[0].id')" "$ID"
as "$AUD2" DELETE "/jobs/$ID"
expect_eq "nor can the other auditor cancel or remove it" "$CODE" 404

# the old synchronous route is gone, not silently kept on the loop
as "$AUD" GET /audit/verify
expect_eq "GET /audit/verify: 405" "$CODE" 405

# cancel
as "$AUD" POST /audit/verify
C=$(jf .id)
as "$AUD" DELETE "/jobs/$C"
expect_eq "DELETE of a running job: 202" "$CODE" 202
job_wait "$N" "$C" -H "Authorization: Bearer $AUD"
expect_eq "it ends cancelled, without a result" "$(jf .state) $(jf .result)" "cancelled null"
check "it stopped before the end" [ "$(jf .progress.done)" -lt "$ROWS" ]
expect_eq "the cancel and the end are audited" \
	"$(count_rows "action = 'DELETE /api/v1/jobs/$C' AND result = 'ok'") $(count_rows "action = 'job.audit.verify' AND target = 'job:$C' AND result = 'cancelled'")" "1 1"
as "$AUD" DELETE "/jobs/$C"
expect_eq "DELETE of a finished job forgets it" "$CODE $(jf .state)" "200 removed"
as "$AUD" GET "/jobs/$C"
expect_eq "then it is gone" "$CODE" 404

# bounded: [api] jobs = 2 by default
as "$AUD" POST /audit/verify
J1=$(jf .id)
as "$AUD2" POST /audit/verify
J2=$(jf .id)
as "$ADM" POST /audit/verify
expect_eq "a third at once is refused with a reason" "$CODE $(jf .error)" \
	"429 2 jobs are running, the most at once; retry when one finishes"
as "$AUD" DELETE "/jobs/$J1"
as "$AUD2" DELETE "/jobs/$J2"
job_wait "$N" "$J1" -H "Authorization: Bearer $AUD"
job_wait "$N" "$J2" -H "Authorization: Bearer $AUD2"

# a tampered row is found
sqlite3 "$D/audit.db" "DROP TRIGGER audit_no_update; UPDATE audit SET detail = '{\"bench\":false}' WHERE seq = 123457;"
as "$ADM" POST /audit/verify
T=$(jf .id)
job_wait "$N" "$T" -H "Authorization: Bearer $ADM"
expect_eq "the edited row is found" "$(jf .state) $(jf .result.intact) $(jf .result.bad_seq)" "done false 123457"
expect_eq "with the reason" "$(jf .result.reason)" "row 123457: contents do not match its hash (edited)"
expect_eq "a job's stats are counted" \
	"$(curl -sk -H "Authorization: Bearer $ADM" "$URL/metrics" | awk '$1 == "iiot_api_jobs_cancelled_total" {print $2}')" 3
openapi_check
echo "1..$_tap_n"
