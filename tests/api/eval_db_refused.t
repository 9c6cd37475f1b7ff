#!/usr/bin/env bash
# iiotd starts and serves when eval.db cannot be opened (here a symlink,
# which the database code refuses; a full disk at start is the same): the
# health check says the evaluation is unavailable and why (degraded, not
# failed), the evaluation routes answer 503, everything else works.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
S=$(mktemp -d /tmp/iiot-evalref.XXXXXX)
chmod 755 "$S"
cleanup_push "rm -rf $S"
ln -s /dev/null "$S/eval.db"
api_start "[iiotd]" "state_dir = $S" "socket = $S/iiotd.sock" "[evaluate]" "delay = 0"
req "$D/anon" GET /health
expect_eq "iiotd serves, degraded" "$CODE $(jf .status)" "200 degraded"
jf '.checks[] | select(.name == "evaluation") | .status + " " + .reason' | grep -q '^degraded no evaluation: .*eval.db' &&
	ok "the reason: $(jf '.checks[] | select(.name == "evaluation") | .reason')" ||
	fail "evaluation check" "$BODY"
admin_enrol "$D/admin" 'Evaluation-Refused-Pw-1' || fail "admin enrolment" "$BODY"
req "$D/admin" GET /evaluation/runs
expect_eq "the evaluation routes: 503" "$CODE" 503
req "$D/admin" GET /settings
expect_eq "the rest works" "$CODE" 200
expect_eq "the link left alone" "$(readlink "$S/eval.db")" /dev/null
echo "1..$_tap_n"
