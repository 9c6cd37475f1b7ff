#!/usr/bin/env bash
# iiotd live: drains rings fed by iiot-replay (real captures) and iiot-sim,
# sees what the offline inventory sees, streams the monitor, exports the
# flight recorder as a pcap tshark reads, reloads on SIGHUP, flushes and
# exits cleanly on SIGTERM.
. "$(dirname "$0")/lib_daemon.sh"
daemon_setup
r1=$RING_PREFIX-replay r2=$RING_PREFIX-sim
drained_is() { [ "$(drained)" = "$1" ]; }
devices_are() { [ "$(ctl status --json | jq .devices)" = "$1" ]; }
write_conf "$T/iiotd.conf" "[capture]" "ring = $r1" "[model]" "sample_interval = 0" \
	"signals = $IIOT_TOP/etc/signals.map"
start_iiotd "$T/iiotd.conf" || { fail "iiotd starts"; exit 0; }
ok "iiotd starts and answers on its socket"

mode=$(stat -c %a "$IIOTD_SOCK")
expect_eq "control socket mode" "$mode" 660

# 1. real captures through iiot-replay
mapfile -t caps < <(shared_pcaps)
if ((${#caps[@]})); then
	out=$("$BIN/iiot-replay" --ring "$r1" --fast --block --json "${caps[@]}" 2>&1)
	n=$(echo "$out" | jq -r '.frames' 2>/dev/null)
	if wait_for "drained" 20 drained_is "$n"; then
		ok "drained all $n frames of ${#caps[@]} real captures"
	else
		fail "drained all frames of the real captures" "replay: $out" "iiotd: $(drained)"
	fi
	ctl devices --json >"$T/live.json"
	"$BIN/iiotctl" inventory --json "${caps[@]}" >"$T/off.json"
	expect_eq "live inventory = offline inventory (kinds)" \
		"$(jq -c '[.devices[].kind] | sort' "$T/live.json")" \
		"$(jq -c '[.devices[].kind] | sort' "$T/off.json")"
	expect_eq "EK1100 + EL1004 identities from SII reads" \
		"$(jq -c '[.devices[] | select(.kind == "ecat-slave" and .vendor_id == 2) | .product_code] | unique' "$T/live.json" |
		   jq -c 'map(select(. == 72100946 or . == 65810514))')" '[65810514,72100946]'
	expect_eq "ET200SP station name from DCP" \
		"$(jq -r '[.devices[] | select(.station_name == "et200sp")] | length' "$T/live.json")" 1
else
	skip "real captures" "no $PCAPS"
fi

# 2. the flight recorder: exactly the frames of a known capture
if [ -x "$BIN/iiot-sim" ]; then
	"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --out "$T/sc.pcap" --duration 3 >/dev/null 2>&1
	want=$(tshark -r "$T/sc.pcap" 2>/dev/null | wc -l)
	# a fresh daemon state: restart with only this ring
	stop_iiotd
	rm -rf "$T/state"
	write_conf "$T/iiotd.conf" "[capture]" "ring = $r2" "flight_seconds = 3600"
	# a job held mid-work while $HOLD exists (tests/daemon/holdsort.c)
	# (iiotd runs as its own user: the directory is writable for it)
	HOLDSO=$BUILD/tests-daemon/holdsort.so HOLD=$T/hold.d/hold
	mkdir -m 777 "$T/hold.d"
	preload=
	[ -f "$HOLDSO" ] && preload=$HOLDSO
	LD_PRELOAD=$preload IIOT_HOLD=$HOLD start_iiotd "$T/iiotd.conf" || { fail "iiotd restarts"; exit 0; }
	ctl monitor -c 5 >"$T/monitor.txt" 2>&1 &
	mon=$!
	sleep 0.3
	"$BIN/iiot-replay" --ring "$r2" --fast --block "$T/sc.pcap" >/dev/null 2>&1
	wait_for "drained" 20 drained_is "$want" || fail "sim capture drained" "$(drained) of $want"
	wait "$mon"
	expect_eq "monitor printed 5 decoded lines" \
		"$(grep -cE '^[0-9]+\.[0-9]{9} .* (ecat|pn_rt|pn_dcp|pn_alarm) ' "$T/monitor.txt")" 5
	ctl export-pcap --seconds 3600 -o "$T/export.pcap" 2>/dev/null
	got=$(tshark -r "$T/export.pcap" 2>/dev/null | wc -l)
	expect_eq "export-pcap holds every frame ($want), tshark reads it" "$got" "$want"
	expect_eq "exported frames equal the capture's" \
		"$(tshark -r "$T/export.pcap" -T fields -e frame.len 2>/dev/null | md5sum)" \
		"$(tshark -r "$T/sc.pcap" -T fields -e frame.len 2>/dev/null | md5sum)"
	ctl export-pcap --seconds 1 -o "$T/last1.pcap" 2>/dev/null
	one=$(tshark -r "$T/last1.pcap" 2>/dev/null | wc -l)
	[ "$one" -gt 0 ] && [ "$one" -lt "$want" ] && ok "export --seconds 1: $one frames" ||
		fail "export --seconds 1" "$one"
	# exports sort and write on job threads, two at once, never on the
	# event loop: two held mid-sort by holdsort.so (only on threads named
	# iiotd-job), the socket still answers, a third is refused with the
	# reason and counted; let go, both give every frame
	if [ -f "$HOLDSO" ]; then
		busy0=$(ctl stats --json | jq '.ctl.exports_busy')
		touch "$HOLD"
		ctl export-pcap --seconds 3600 -o "$T/par1.pcap" 2>/dev/null & e1=$!
		ctl export-pcap --seconds 3600 -o "$T/par2.pcap" 2>/dev/null & e2=$!
		held2() { [ "$(wc -l <"$HOLD.seen")" = 2 ]; }
		if wait_for "two exports held" 20 held2; then
			ok "two exports held mid-sort on job threads"
			check "status answered while two exports run" ctl status
			ctl export-pcap --seconds 3600 -o "$T/par3.pcap" 2>"$T/par3.err"
			expect_eq "a third export is refused with the reason" "$? $(grep -c \
				'2 pcap exports are running, the most at once' "$T/par3.err")" "1 1"
			expect_eq "the refusal counted (ctl.exports_busy)" \
				"$(($(ctl stats --json | jq '.ctl.exports_busy') - busy0))" 1
		else
			fail "two exports held mid-sort on job threads" "$(cat "$HOLD.seen" 2>/dev/null)"
		fi
		rm -f "$HOLD"
		wait "$e1" "$e2"
		expect_eq "both held exports hold every frame once let go" \
			"$(tshark -r "$T/par1.pcap" 2>/dev/null | wc -l) $(tshark -r "$T/par2.pcap" 2>/dev/null | wc -l)" \
			"$want $want"
	else
		skip "exports held on job threads" "no $HOLDSO"
	fi
	# regression: a producer taking over a ring the moment the last one
	# closed it found nobody waiting, and iiotd never looked again
	before=$(drained)
	"$BIN/iiot-replay" --ring "$r2" --fast "$T/sc.pcap" >/dev/null 2>&1
	"$BIN/iiot-replay" --ring "$r2" --fast "$T/sc.pcap" >/dev/null 2>&1
	wait_for "both replays drained" 10 drained_is $((before + 2 * want)) &&
		ok "regression: back-to-back producers on one ring both drained" ||
		fail "regression: back-to-back producers on one ring" "$(drained) vs $((before + 2 * want))"
	# 3. live simulator into the ring
	"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/small-cell.conf" --ring "$r2" --duration 1 --fast >/dev/null 2>&1
	wait_for "devices" 10 devices_are 14 &&
		ok "iiot-sim into a ring: 14 devices" || fail "iiot-sim into a ring" "$(ctl status --json)"
	check "device show by station name" ctl device show et200sp-2
	expect_eq "device show --json names it" \
		"$(ctl device show --json et200sp-2 | jq -r '.device.station_name')" et200sp-2
	check "history of a device in the database" test "$(ctl device show --json et200sp-2 | jq '.history | length')" -gt 0
else
	skip "flight recorder, monitor" "iiot-sim not built"
fi

# 4. SIGHUP: a bad file keeps the running config; a good one adds a ring
printf '[store]\nflush = sometimes\n' >>"$T/iiotd.conf"
kill -HUP "$IIOTD_PID"; sleep 0.5
check "bad config on SIGHUP: still running" ctl status
grep -q "reload: .*iiotd.conf:.*keeping the running configuration" "$T/iiotd.log" &&
	ok "bad reload logged with its line" || fail "bad reload logged"
write_conf "$T/iiotd.conf" "[capture]" "ring = $r2" "ring = $RING_PREFIX-new"
kill -HUP "$IIOTD_PID"
wait_for "new ring" 5 sh -c "$BIN/iiotctl status --json | jq -e '.rings | length == 2'" &&
	ok "SIGHUP adds a ring" || fail "SIGHUP adds a ring"

# 5. SIGTERM flushes and exits 0
before=$(ctl stats --json | jq '.store.events_written')
kill -TERM "$IIOTD_PID"; wait "$IIOTD_PID"; rc=$?
expect_eq "SIGTERM: exit status 0" "$rc" 0
grep -q "exited cleanly" "$T/iiotd.log" && ok "SIGTERM: exited cleanly" || fail "exited cleanly"
expect_eq "database intact" "$(sqlite3 "$T/state/iiot.db" 'PRAGMA integrity_check')" ok
rows=$(sqlite3 "$T/state/iiot.db" 'SELECT count(*) FROM device_history')
[ "$rows" -ge "$before" ] && [ "$rows" -gt 0 ] && ok "history flushed on exit ($rows rows)" ||
	fail "history flushed" "$rows < $before"
[ ! -e "$IIOTD_SOCK" ] && ok "socket removed on exit" || fail "socket removed on exit"
