#!/usr/bin/env bash
# The Evaluation page in Debian's chromium (headless, playwright-core)
# against iiotd evaluating itself ([evaluate] delay = 0): an admin made
# without MFA (MFA required for engineers only, itself a nonconformity)
# sees the last run's checks with their evidence and its HTML report,
# the score's trend, runs an evaluation from the page, and closes the
# mfa.roles nonconformity with the corrective action, which the audit log
# keeps under the admin; then the page in Chinese.  Screenshots in
# build/test-output/web-evaluation/.
. "$(dirname "$0")/../lib.sh"
. "$IIOT_TOP/tests/api/lib_api.sh"
[ -x /usr/bin/chromium ] || skip_all "chromium missing (scripts/deps.sh)"
[ -d "$IIOT_TOP/web/node_modules/playwright-core" ] || skip_all "web/node_modules missing (make)"
api_start "[evaluate]" "interval = 1h" "delay = 0"
admin_enrol "$D/admin" "plant supervisor 2026" || { fail "admin enrolment" "$BODY"; exit 0; }
req "$D/admin" PUT /settings '{"mfa.required_roles":"engineer"}'
req "$D/admin" POST /users '{"name":"adm2","role":"admin"}'
ADM_PW=$(jf .one_time_password)
[ -n "$ADM_PW" ] || { fail "second admin" "$BODY"; exit 0; }
# a second run, with MFA weakened: two points of trend, mfa.roles open
req "$D/admin" POST /evaluation/runs
for i in $(seq 1 300); do
	req "$D/admin" GET '/evaluation/nonconformities?state=open'
	jf '.nonconformities[].check' | grep -qx mfa.roles && break
	sleep 0.1
done
OUT=$BUILD/test-output/web-evaluation
rm -rf "$OUT"
URL=$URL ADM_PW=$ADM_PW OUT=$OUT PROFILE=$D/chromium-profile WORK=$D \
	timeout 300 node "$IIOT_TOP/tests/web/evaluation.mjs"
rc=$?
[ $rc -ne 0 ] && echo "# iiotd: $(tail -5 "$D/iiotd.log" | tr '\n' '|')"
exit $rc
