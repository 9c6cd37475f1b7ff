#!/usr/bin/env bash
# TLS versions, the self-signed certificate, static files without path
# traversal, request size limits: against a real iiotd.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_api.sh"
command -v openssl >/dev/null || skip_all "openssl missing"
api_start

handshake() {	# handshake FLAGS...: 0 when the server completes the handshake
	timeout 10 openssl s_client -brief -connect "127.0.0.1:$PORT" -servername localhost \
		"$@" </dev/null >"$D/s_client" 2>&1
	grep -q 'CONNECTION ESTABLISHED' "$D/s_client"
}
handshake -tls1 -cipher 'DEFAULT:@SECLEVEL=0' && fail "TLS 1.0 refused" "$(tail -5 "$D/s_client")" || ok "TLS 1.0 refused"
handshake -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' && fail "TLS 1.1 refused" "$(tail -5 "$D/s_client")" || ok "TLS 1.1 refused"
handshake -tls1_2 && ok "TLS 1.2 accepted" || fail "TLS 1.2 accepted" "$(tail -5 "$D/s_client")"
grep -qE 'Ciphersuite: ECDHE-(ECDSA|RSA)-(AES|CHACHA)' "$D/s_client" && ok "TLS 1.2 uses an ECDHE AEAD suite" ||
	fail "TLS 1.2 suite" "$(grep -i cipher "$D/s_client")"
handshake -tls1_3 && ok "TLS 1.3 accepted" || fail "TLS 1.3 accepted" "$(tail -5 "$D/s_client")"
handshake -tls1_2 -cipher 'AES128-SHA:@SECLEVEL=0' &&
	fail "static-RSA CBC suite refused" || ok "static-RSA CBC suite refused"

[ -f "$D/tls/cert.pem" ] && [ "$(stat -c %a "$D/tls/key.pem")" = 600 ] && ok "self-signed certificate made on first run, key 0600" ||
	fail "self-signed certificate" "$(ls -l "$D/tls")"
openssl x509 -in "$D/tls/cert.pem" -noout -ext subjectAltName 2>/dev/null | grep -q 'IP Address:127.0.0.1' &&
	ok "certificate names localhost and 127.0.0.1" || fail "certificate SAN"
fp1=$(openssl x509 -in "$D/tls/cert.pem" -noout -fingerprint -sha256)

# static files
code=$(curl -sk -o "$D/out" -w '%{http_code} %{content_type}' "$URL/")
expect_eq "index.html served" "$code" "200 text/html; charset=utf-8"
code=$(curl -sk -o /dev/null -w '%{http_code}' "$URL/js/app.js")
expect_eq "a module served" "$code" "200"
code=$(curl -sk -o /dev/null -w '%{http_code}' "$URL/node_modules/uplot/dist/uPlot.esm.js")
expect_eq "the chart library served from web/node_modules" "$code" "200"
for p in /../../../../etc/passwd /%2e%2e/%2e%2e/etc/passwd /js/../../../etc/passwd /..%2f..%2fetc%2fpasswd \
	/.gitignore /package.json.bak /node_modules/playwright-core/package.json /js/%00.js /build.mk "/index.html%00.js"; do
	code=$(curl -sk --path-as-is -o "$D/out" -w '%{http_code}' "$URL$p")
	err=$(jf .error)
	if [[ $code == 4* ]] && [ -n "$err" ] && ! grep -q 'root:' "$D/out"; then ok "refused with JSON $code: $p"; else fail "refused: $p" "$code $(head -c 200 "$D/out")"; fi
done
code=$(curl -sk -o "$D/out" -w '%{http_code}' -X POST "$URL/index.html")
expect_eq "static files are read-only" "$code $(jf .error)" "405 static files are read-only"

# limits
head -c 100000 /dev/zero | tr '\0' 'a' | sed 's/^/{"username":"/; s/$/","password":"x"}/' >"$D/big"
code=$(curl -sk -o "$D/out" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$D/big" "$URL/api/v1/login")
expect_eq "body over 64 KiB: 413 with a JSON reason" "$code $(jf .error)" "413 request body larger than 64 KiB"

# libevent answers some requests itself, before any route: each of those
# replies carries the security headers of a normal one (those of a 200)
curl -sk -D "$D/h200" -o /dev/null "$URL/api/v1/health"
tr -d '\r' <"$D/h200" | grep -viE '^(HTTP/|Date:|Content-Length:|Content-Type:|Connection:|$)' >"$D/sec"
n=$(grep -ciE '^(Strict-Transport-Security|Content-Security-Policy|X-Content-Type-Options|X-Frame-Options|Referrer-Policy|Cache-Control):' "$D/sec")
expect_eq "a 200 carries the security headers" "$n" 6
missing_headers() {	# missing_headers HEAD: the lines of $D/sec that reply head lacks
	grep -vxF -f <(tr -d '\r' <"$1") "$D/sec"
}
refused_with_headers() {	# WHAT CODE HEAD BODY: the status, a JSON reason, every header
	local status miss
	status=$(head -1 "$3" | cut -d' ' -f2)
	miss=$(missing_headers "$3")
	if [ "$status" = "$2" ] && [ -n "$(jq -r '.error // empty' "$4" 2>/dev/null)" ] && [ -z "$miss" ]; then
		ok "$1"
	else
		fail "$1" "status $status, want $2" "missing: $miss" "$(head -c 200 "$4")"
	fi
}
raw() {	# raw BYTES: sent as they are over one TLS connection; the replies in $D/raw
	printf "$1" | timeout 10 openssl s_client -quiet -connect "127.0.0.1:$PORT" >"$D/raw" 2>/dev/null
	tr -d '\r' <"$D/raw" | sed '/^$/q' >"$D/rawhead"
	tr -d '\r' <"$D/raw" | sed '1,/^$/d' | head -1 >"$D/rawbody"
}
errors_before=$("$BIN/iiotctl" stats -s "$D/iiotd.sock" --json | jq .api.errors)
head -c 2000000 /dev/zero >"$D/huge"
curl -sk -D "$D/head" -o "$D/out" -H 'Content-Type: application/json' --data-binary @"$D/huge" "$URL/api/v1/login"
refused_with_headers "libevent's own 413 carries the security headers (body over 1 MiB, refused before it is read)" \
	413 "$D/head" "$D/out"
long=$(head -c 20000 /dev/zero | tr '\0' 'x')
curl -sk -D "$D/head" -o "$D/out" -H "X-Long: $long" "$URL/api/v1/health"
refused_with_headers "libevent's own 400 for headers over 16 KiB carries the security headers" 400 "$D/head" "$D/out"
curl -sk -D "$D/head" -o "$D/out" -X OPTIONS "$URL/api/v1/health"
refused_with_headers "libevent's own 501 for a method it is not allowed carries the security headers" \
	501 "$D/head" "$D/out"
curl -sk -D "$D/head" -o "$D/out" -H 'Expect: something' -H 'Content-Type: application/json' --data '{}' "$URL/api/v1/login"
refused_with_headers "libevent's own 417 for an unknown Expect carries the security headers" 417 "$D/head" "$D/out"
raw 'no request line\r\n\r\n'
refused_with_headers "libevent's own 400 for a broken request line carries the security headers" \
	400 "$D/rawhead" "$D/rawbody"
grep -q '^HTTP/1.1 400 ' "$D/rawhead" && ok "a broken request line is answered as HTTP/1.1" || fail "HTTP version" "$(head -1 "$D/rawhead")"
errors_after=$("$BIN/iiotctl" stats -s "$D/iiotd.sock" --json | jq .api.errors)
expect_eq "libevent's own refusals are counted as API errors" "$((errors_after - errors_before))" 5
# pipelined on one connection: a route's reply, then libevent's own, then the close
raw 'GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\nOPTIONS /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n'
# (a JSON body ends without a newline: the next status line follows on its line)
codes=$(grep -oE 'HTTP/1\.1 [0-9]{3} ' "$D/raw" | cut -d' ' -f2 | tr '\n' ' ')
hsts=$(grep -c '^Strict-Transport-Security:' "$D/raw")
expect_eq "two pipelined requests on one TLS connection: both answered, each with the headers" "$codes$hsts" "200 501 2"
code=$(curl -sk -o "$D/out" -w '%{http_code}' "$URL/api/v1/devices?limit=abc")
expect_eq "bad query: 400 JSON (authentication first)" "$code" "401"
code=$(curl -sk -o "$D/out" -w '%{http_code}' "$URL/api/v1/nosuch")
expect_eq "unknown route: 404 JSON" "$code $(jf .error)" "404 no such route"
code=$(curl -sk -o "$D/out" -w '%{http_code}' -X DELETE "$URL/api/v1/health")
expect_eq "wrong method: 405 JSON" "$code $(jf .error)" "405 method not allowed"
curl -sk -D "$D/head" -o "$D/out" -X PATCH "$URL/api/v1/health"
refused_with_headers "a method the route lacks (PATCH): 405 with the security headers" 405 "$D/head" "$D/out"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/health")
[[ $code != 200 ]] && ok "plain HTTP gets no answer ($code)" || fail "plain HTTP answered"

# a client that connects and says nothing does not hold others up
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 5 "$URL/api/v1/health")
expect_eq "an idle connection does not block others" "$code" "200"
exec 3>&-
kill -0 "$IIOTD_PID" 2>/dev/null && ok "iiotd alive after the abuse" || fail "iiotd alive"

# the certificate is kept across restarts
api_stop
"$BIN/iiotd" -d -f "$D/iiotd.conf" >"$D/iiotd2.log" 2>&1 &
IIOTD_PID=$!
cleanup_push "kill $IIOTD_PID"
for i in $(seq 50); do curl -sk -o /dev/null "$URL/api/v1/health" && break; sleep 0.1; done
fp2=$(openssl x509 -in "$D/tls/cert.pem" -noout -fingerprint -sha256)
expect_eq "certificate kept across restarts" "$fp2" "$fp1"
grep -q "one-time password" "$D/iiotd2.log" && fail "no new admin secret on the second start" || ok "no new admin secret on the second start"
echo "1..$_tap_n"
