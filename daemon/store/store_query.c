/* Readers: on a connection of the caller's (readpool.h), any thread. */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "decode/decode.h"
#include "store/store_int.h"

static uint64_t get_u32(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24;
}

static double get_f64(const uint8_t *p)
{
	uint64_t v = 0;
	double d;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	memcpy(&d, &v, 8);
	return d;
}

static long count_rows(sqlite3 *db, const char *table, uint32_t signal,
		       uint64_t from, uint64_t to)
{
	char sql[160];
	sqlite3_stmt *st;
	long n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE signal=?"
		 " AND t>=? AND t<?", table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, signal);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)from);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)to);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static long query_raw(sqlite3 *db, uint32_t signal, uint64_t from,
		      uint64_t to, size_t max,
		      bool (*cb)(void *, const struct store_point *),
		      void *arg)
{
	sqlite3_stmt *st;
	long n = 0;
	bool go = true;

	/* a block may start before from: look back one block span */
	if (sqlite3_prepare_v2(db, "SELECT t0, n, vals FROM samples_raw"
			       " WHERE signal=? AND t0>=? AND t0<? AND t1>=?"
			       " ORDER BY t0", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, signal);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(from > 4000000000ULL ?
				  from - 4000000000ULL : 0));
	sqlite3_bind_int64(st, 3, (sqlite3_int64)to);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)from);
	while (go && sqlite3_step(st) == SQLITE_ROW) {
		uint64_t t0 = (uint64_t)sqlite3_column_int64(st, 0);
		int cnt = sqlite3_column_int(st, 1);
		const uint8_t *b = sqlite3_column_blob(st, 2);
		int bl = sqlite3_column_bytes(st, 2), i;

		for (i = 0; go && i < cnt && (i + 1) * 12 <= bl; i++) {
			struct store_point p;

			p.ts_ns = t0 + get_u32(b + i * 12);
			if (p.ts_ns < from || p.ts_ns >= to)
				continue;
			p.min = p.max = p.avg = get_f64(b + i * 12 + 4);
			p.count = 1;
			n++;
			go = cb(arg, &p) && (!max || (size_t)n < max);
		}
	}
	sqlite3_finalize(st);
	return n;
}

static long query_roll(sqlite3 *db, const char *table, uint32_t signal,
		       uint64_t from, uint64_t to, size_t max,
		       bool (*cb)(void *, const struct store_point *),
		       void *arg)
{
	char sql[160];
	sqlite3_stmt *st;
	long n = 0;

	snprintf(sql, sizeof(sql), "SELECT t, min, max, sum, count FROM %s"
		 " WHERE signal=? AND t>=? AND t<? ORDER BY t", table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, signal);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)from);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)to);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct store_point p;

		p.ts_ns = (uint64_t)sqlite3_column_int64(st, 0);
		p.min = sqlite3_column_double(st, 1);
		p.max = sqlite3_column_double(st, 2);
		p.count = (uint64_t)sqlite3_column_int64(st, 4);
		p.avg = p.count ? sqlite3_column_double(st, 3) /
			(double)p.count : 0;
		n++;
		if (!cb(arg, &p) || (max && (size_t)n >= max))
			break;
	}
	sqlite3_finalize(st);
	return n;
}

long store_query_samples(struct sqlite3 *db, uint32_t signal,
			 uint64_t from_ns, uint64_t to_ns,
			 enum store_rollup rollup, size_t max_points,
			 bool (*cb)(void *arg, const struct store_point *p),
			 void *arg, char *err, size_t errlen)
{
	long n;

	if (rollup == STORE_AUTO) {
		/* raw has at most one row per sample; 1 s rollups bound
		 * the raw count from above */
		long c = count_rows(db, "roll_1s", signal, from_ns, to_ns);

		rollup = STORE_1M;
		if (c >= 0 && (!max_points || (size_t)c <= max_points))
			rollup = STORE_1S;
		if (c >= 0 && (!max_points ||
			       (uint64_t)(to_ns - from_ns) / 1000000000ULL <=
			       1 || (size_t)c * 1 <= max_points / 100))
			rollup = STORE_RAW;
	}
	switch (rollup) {
	case STORE_RAW:
		n = query_raw(db, signal, from_ns, to_ns, max_points, cb, arg);
		break;
	case STORE_1S:
		n = query_roll(db, "roll_1s", signal, from_ns, to_ns,
			       max_points, cb, arg);
		break;
	default:
		n = query_roll(db, "roll_1m", signal, from_ns, to_ns,
			       max_points, cb, arg);
		break;
	}
	if (n < 0)
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
	return n;
}

/* A text column as printable UTF-8 (wire_str), "" when NULL. */
static const char *column_str(sqlite3_stmt *st, int col, char *buf,
			      size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	wire_str(buf, len, t ? t : (const unsigned char *)"",
		 t ? (size_t)sqlite3_column_bytes(st, col) : 0);
	return buf;
}

long store_query_history(struct sqlite3 *db, const char *label, size_t limit,
			 bool (*cb)(void *arg, const struct store_history *h),
			 void *arg, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	long n = 0;

	if (sqlite3_prepare_v2(db, label ?
			       "SELECT ts, device, label, event, detail FROM"
			       " device_history WHERE label=? ORDER BY ts DESC"
			       " LIMIT ?" :
			       "SELECT ts, device, label, event, detail FROM"
			       " device_history ORDER BY ts DESC LIMIT ?",
			       -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -1;
	}
	if (label)
		sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, label ? 2 : 1,
			   limit ? (sqlite3_int64)limit : -1);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct store_history h;
		char lbl[80 * 4], event[16 * 4], detail[256 * 4];

		h.ts_ns = (uint64_t)sqlite3_column_int64(st, 0);
		h.device = (uint32_t)sqlite3_column_int64(st, 1);
		/* rows written before names were escaped may hold raw wire
		 * bytes: escaped here too, so none goes missing from JSON */
		h.label = column_str(st, 2, lbl, sizeof(lbl));
		h.event = column_str(st, 3, event, sizeof(event));
		h.detail = column_str(st, 4, detail, sizeof(detail));
		n++;
		if (!cb(arg, &h))
			break;
	}
	sqlite3_finalize(st);
	return n;
}

struct sqlite3 *store_reader_open(const char *path, char *err, size_t errlen)
{
	return store_db_open(path, 1, err, errlen);
}
