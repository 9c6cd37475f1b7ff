# Helpers for the fleet (platform) tests: a PostgreSQL server of the
# test's own (initdb + pg_ctl in $T, on a unix socket in $T, as nobody
# when the test runs as root), and edge iiotd instances each with its
# state directory, control socket, ring and simulated line.
#   pg_start                 $PGBIN, $PGCONN; skips without PostgreSQL
#   psqlq SQL                one query, unaligned rows
#   edge_start N SCENARIO [LINES]   iiotd "ipcN" in group siteN publishing
#                            to broker a ($EDGE_BROKER when set); the
#                            line's simulator on its ring ($EDGE_GROUP,
#                            $EDGE_NODE: other ids)
#   ectl N ARGS...           iiotctl against edge N
. "$(dirname "${BASH_SOURCE[0]}")/lib_north.sh"

pg_as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u nobody -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -x "$PGBIN/initdb" ] || skip_all "postgresql missing"
	mkdir -p "$T/pg" "$T/pgsock"
	[ "$(id -u)" = 0 ] && chown nobody "$T/pg" "$T/pgsock"
	PGPORT=$(free_port)
	pg_as "$PGBIN/initdb" -D "$T/pg/data" -A trust -U iiot -E UTF8 \
		--no-sync >"$T/initdb.log" 2>&1 || { sed 's/^/#   /' "$T/initdb.log" | tail -5; return 1; }
	cleanup_push "runuser -u nobody -- $PGBIN/pg_ctl -D $T/pg/data -m immediate stop || $PGBIN/pg_ctl -D $T/pg/data -m immediate stop"
	pg_as "$PGBIN/pg_ctl" -D "$T/pg/data" -l "$T/pg/log" -w -t 120 \
		-o "-k $T/pgsock -h '' -p $PGPORT -F" start >/dev/null || {
		sed 's/^/#   /' "$T/pg/log" | tail -5; return 1; }
	pg_as "$PGBIN/createdb" -h "$T/pgsock" -p "$PGPORT" -U iiot fleet || return 1
	PGCONN="host=$T/pgsock port=$PGPORT user=iiot dbname=fleet"
}

pg_stop() {
	pg_as "$PGBIN/pg_ctl" -D "$T/pg/data" -m fast -w stop >/dev/null 2>&1
}

psqlq() { "$PGBIN/psql" "$PGCONN" -Atq -c "$1"; }

edge_start() {
	local n=$1 scen=$2 d=$T/e$1 i; shift 2
	mkdir -p "$d"
	{
		printf '[iiotd]\nstate_dir = %s/state\nsocket = %s/state/iiotd.sock\n' "$d" "$d"
		printf '[api]\nenabled = no\n[capture]\nring = %s-e%s\n' "$RING_PREFIX" "$n"
		printf '[model]\nsignals = %s/etc/signals.map\n' "$IIOT_TOP"
		printf '[north]\nbroker = %s\ngroup = %s\n' \
			"${EDGE_BROKER:-mqtt://127.0.0.1:$PORT_a}" "${EDGE_GROUP:-site$n}"
		printf 'edge_node = %s\nretry = 500ms\n' "${EDGE_NODE:-ipc$n}"
		printf '%s\n' "$@"
	} >"$d/iiotd.conf"
	"$BIN/iiot-sim" "$IIOT_TOP/sim/scenarios/$scen.conf" --ring "$RING_PREFIX-e$n" \
		>>"$d/sim.log" 2>&1 &
	printf -v "SIM_$n" '%s' "$!"
	cleanup_push "kill -9 $!"
	"$BIN/iiotd" -d -f "$d/iiotd.conf" >>"$d/iiotd.log" 2>&1 &
	printf -v "EDGE_$n" '%s' "$!"
	cleanup_push "kill -9 $!"
	for i in $(seq 300); do
		ectl "$n" status >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "# edge $n did not come up:"; sed 's/^/#   /' "$d/iiotd.log" | tail -10
	return 1
}

ectl() { local n=$1; shift; IIOTD_SOCK=$T/e$n/state/iiotd.sock "$BIN/iiotctl" "$@"; }
estat() { ectl "$1" stats --json | jq -r ".north.$2"; }
