# Helpers for the API tests: a real iiotd on a scratch state dir, curl with
# cookie jars, TOTP codes computed independently (python3's hmac).
#   api_start [extra conf lines]     sets D, PORT, URL, ADMIN_PW, IIOTD_PID
#                                    ($IIOTD: the daemon to run, default iiotd)
#   req JAR METHOD PATH [BODY] [curl args...]   sets CODE, BODY (raw), JSON file $D/out
#   login JAR USER PW [TOTP_SECRET]  full login; CSRF kept in JAR.csrf
#   totp SECRET [STEP_OFFSET]
#   admin_enrol JAR NEWPW            first login as admin: password change and
#                                    TOTP enrolment; sets SECRET, RECOVERY (array)
#   admin_password_only              then admin2 ($D/a2) without MFA
#   token NAME ROLE                  prints a new API token of that role
#   openapi_check                    the responses req recorded match docs/openapi.yaml
#   job_wait JAR ID [curl args...]   poll GET /jobs/ID until it is no longer running
command -v curl >/dev/null || skip_all "curl missing"
command -v python3 >/dev/null || skip_all "python3 missing"
[ -x "$BIN/iiotd" ] || skip_all "iiotd not built"
IIOTD=${IIOTD:-$BIN/iiotd}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

api_start() {
	D=$(mktemp -d /tmp/iiot-api.XXXXXX)
	chmod 755 "$D"
	cleanup_push "rm -rf $D"
	PORT=$(free_port)
	URL=https://127.0.0.1:$PORT
	{
		echo "[iiotd]"
		echo "state_dir = $D"
		echo "socket = $D/iiotd.sock"
		echo "[api]"
		echo "listen = 127.0.0.1:$PORT"
		printf '%s\n' "$@"
	} >"$D/iiotd.conf"
	"$IIOTD" -d -f "$D/iiotd.conf" >"$D/iiotd.log" 2>&1 &
	IIOTD_PID=$!
	cleanup_push "kill $IIOTD_PID; wait $IIOTD_PID"
	local i
	for i in $(seq 1 300); do
		curl -sk -o /dev/null "$URL/api/v1/health" && break
		kill -0 $IIOTD_PID 2>/dev/null || break
		sleep 0.1
	done
	ADMIN_PW=$(sed -n "s/.*one-time password: //p" "$D/iiotd.log")
	RESP=$D/responses.jsonl
	: >"$RESP"
}

token() {	# token NAME ROLE [DASHBOARD]: prints a bearer token stored as iiotd stores them
	local tok h
	tok=iiot_$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	h=$(printf %s "$tok" | sha256sum | cut -d' ' -f1)
	sqlite3 "$D/auth.db" "INSERT INTO tokens(name, role, hash, created, created_by, dashboard) VALUES('$1', '$2', '$h', 0, 'test', ${3:-0})"
	echo "$tok"
}

api_stop() {
	kill "$IIOTD_PID" 2>/dev/null
	wait "$IIOTD_PID" 2>/dev/null
}

api_restart() {	# iiotd again on the same state and config (after api_stop)
	"$IIOTD" -d -f "$D/iiotd.conf" >>"$D/iiotd.log" 2>&1 &
	IIOTD_PID=$!
	cleanup_push "kill $IIOTD_PID; wait $IIOTD_PID"
	local i
	for i in $(seq 300); do
		curl -sk -o /dev/null "$URL/api/v1/health" && break
		sleep 0.1
	done
}

totp() {
	python3 - "$1" "${2:-0}" <<'PY'
import base64, hashlib, hmac, struct, sys, time
s = sys.argv[1]
k = base64.b32decode(s + "=" * ((8 - len(s) % 8) % 8))
c = int(time.time()) // 30 + int(sys.argv[2])
h = hmac.new(k, struct.pack(">Q", c), hashlib.sha1).digest()
o = h[-1] & 15
print("%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7fffffff) % 1000000))
PY
}

# Record method, path template, status and body for the OpenAPI check.
_record() {
	jq -cn --arg m "$1" --arg p "$2" --argjson s "$3" --slurpfile b "$D/out" \
		'{method:$m, path:$p, status:$s, body:($b[0] // null)}' >>"$RESP" 2>/dev/null || true
}

req() {
	local jar=$1 m=$2 p=$3 body=${4-} csrf=
	shift 3; [ $# -gt 0 ] && shift
	[ -f "$jar.csrf" ] && csrf=$(cat "$jar.csrf")
	local args=(-sk -o "$D/out" -w '%{http_code}' -b "$jar" -c "$jar" -X "$m")
	[ -n "$csrf" ] && args+=(-H "X-CSRF-Token: $csrf")
	[ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
	CODE=$(curl "${args[@]}" "$@" "$URL/api/v1$p")
	BODY=$(cat "$D/out" 2>/dev/null)
	_record "$m" "$p" "${CODE:-0}"
}

jf() { jq -r "$1" "$D/out" 2>/dev/null; }

job_wait() {
	local jar=$1 id=$2 i
	shift 2
	for i in $(seq 1200); do
		req "$jar" GET "/jobs/$id" "" "$@"
		[ "$CODE" = 200 ] && [ "$(jf .state)" = running ] || return 0
		sleep 0.1
	done
}

# login JAR USER PW [SECRET]: password, then TOTP when the server asks.
login() {
	rm -f "$1" "$1.csrf"
	req "$1" POST /login "{\"username\":\"$2\",\"password\":\"$3\"}"
	[ "$CODE" = 200 ] || return 1
	jf .csrf >"$1.csrf"
	if [ "$(jf .stage)" = mfa ] && [ -n "${4-}" ]; then
		local i
		# a code once used is refused: wait for the next step when this one is spent
		for i in 1 2 3; do
			req "$1" POST /login/totp "{\"code\":\"$(totp "$4")\"}"
			[ "$CODE" = 200 ] && break
			sleep "$(python3 -c 'import time; print(30.2 - time.time() % 30)')"
		done
		[ "$CODE" = 200 ] || return 1
		jf .csrf >"$1.csrf"
	fi
	return 0
}

admin_enrol() {
	local jar=$1
	rm -f "$jar" "$jar.csrf"
	req "$jar" POST /login "{\"username\":\"admin\",\"password\":\"$ADMIN_PW\"}"
	jf .csrf >"$jar.csrf"
	req "$jar" POST /password "{\"old\":\"$ADMIN_PW\",\"new\":\"$2\"}"
	jf .csrf >"$jar.csrf"
	req "$jar" POST /mfa/enroll
	SECRET=$(jf .secret)
	req "$jar" POST /mfa/confirm "{\"code\":\"$(totp "$SECRET")\"}"
	[ "$CODE" = 200 ] || return 1
	jf .csrf >"$jar.csrf"
	mapfile -t RECOVERY < <(jf '.recovery_codes[]')
}

openapi_check() {
	local out

	if [ ! -d "$IIOT_TOP/web/node_modules/yaml" ]; then
		skip "responses match docs/openapi.yaml" "web/node_modules/yaml missing (make)"
		return
	fi
	out=$(node "$IIOT_TOP/tests/api/openapi_check.mjs" "$IIOT_TOP/docs/openapi.yaml" "$RESP" 2>&1) &&
		ok "responses match docs/openapi.yaml ($out)" || fail "responses match docs/openapi.yaml" "$out"
}

# after admin_enrol: a second admin, admin2 (cookie jar $D/a2), signed in
# with a password only (MFA then required of engineers only)
admin_password_only() {
	local pw
	req "$D/admin" PUT /settings '{"mfa.required_roles":"engineer"}'
	req "$D/admin" POST /users '{"name":"admin2","role":"admin"}'
	pw=$(jf .one_time_password)
	login "$D/a2" admin2 "$pw"
	req "$D/a2" POST /password "{\"old\":\"$pw\",\"new\":\"second admin pass 2026\"}"
	jf .csrf >"$D/a2.csrf"
}

# browser tests: the admin enrols (MFA for admins only) and makes engineer
# eng1; sets ENG_PW to eng1's one-time password, or fails and returns 1
engineer_account() {
	admin_enrol "$D/admin" "plant supervisor 2026" || { fail "admin enrolment"; return 1; }
	req "$D/admin" PUT /settings '{"mfa.required_roles":"admin"}'
	req "$D/admin" POST /users '{"name":"eng1","role":"engineer"}'
	ENG_PW=$(jf .one_time_password)
	[ -n "$ENG_PW" ] || { fail "engineer account" "$BODY"; return 1; }
}
