/* In-memory session table and per-address lockout. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "auth/session.h"

static struct session sessions[SESSION_MAX];

int secret_eq(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}

static int new_id(char out[SESSION_ID_HEX + 1])
{
	uint8_t r[SESSION_ID_HEX / 2];

	if (auth_random(r, sizeof(r)))
		return -1;
	auth_hex(r, sizeof(r), out);
	return 0;
}

struct session *session_new(int64_t user_id, const char *user, enum role role,
			    int64_t gen, enum sess_stage stage, const char *addr)
{
	struct session *s = NULL, *oldest = &sessions[0];
	int i;

	for (i = 0; i < SESSION_MAX; i++) {
		if (!sessions[i].id[0]) {
			s = &sessions[i];
			break;
		}
		if (sessions[i].mono_seen < oldest->mono_seen)
			oldest = &sessions[i];
	}
	/* full: the least recently used session gives way */
	if (!s)
		s = oldest;
	memset(s, 0, sizeof(*s));
	if (new_id(s->id) || new_id(s->csrf)) {
		memset(s, 0, sizeof(*s));
		return NULL;
	}
	s->user_id = user_id;
	s->gen = gen;
	snprintf(s->user, sizeof(s->user), "%s", user);
	s->role = role;
	s->stage = stage;
	s->created = s->last_seen = auth_now_ms();
	s->mono_created = s->mono_seen = auth_mono_ms();
	snprintf(s->addr, sizeof(s->addr), "%s", addr ? addr : "");
	return s;
}

struct session *session_find(const char *id, int64_t mono, int64_t idle_ms, int64_t abs_ms)
{
	int i;

	if (!id || strlen(id) != SESSION_ID_HEX)
		return NULL;
	for (i = 0; i < SESSION_MAX; i++) {
		struct session *s = &sessions[i];

		if (!s->id[0] || !secret_eq(s->id, id))
			continue;
		if (mono - s->mono_seen > idle_ms || mono - s->mono_created > abs_ms) {
			session_drop(s);
			return NULL;
		}
		return s;
	}
	return NULL;
}

int session_rotate(struct session *s)
{
	return new_id(s->id) || new_id(s->csrf) ? -1 : 0;
}

void session_drop(struct session *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}

int session_drop_user(int64_t user_id)
{
	int i, n = 0;

	for (i = 0; i < SESSION_MAX; i++)
		if (sessions[i].id[0] && sessions[i].user_id == user_id) {
			session_drop(&sessions[i]);
			n++;
		}
	return n;
}

void session_each(void (*cb)(void *, const struct session *), void *arg)
{
	int i;

	for (i = 0; i < SESSION_MAX; i++)
		if (sessions[i].id[0])
			cb(arg, &sessions[i]);
}

void session_clear(void)
{
	OPENSSL_cleanse(sessions, sizeof(sessions));
}

#define ADDR_MAX 1024

static struct {
	char addr[48];
	int failures;
	int64_t locked_until, last;
} addrs[ADDR_MAX];

static int addr_slot(const char *addr, int create, int64_t now)
{
	int i, free_i = -1, old_i = 0;

	for (i = 0; i < ADDR_MAX; i++) {
		if (addrs[i].addr[0] && !strcmp(addrs[i].addr, addr))
			return i;
		if (!addrs[i].addr[0] && free_i < 0)
			free_i = i;
		if (addrs[i].last < addrs[old_i].last && addrs[i].locked_until <= now)
			old_i = i;
	}
	if (!create)
		return -1;
	i = free_i >= 0 ? free_i : old_i;
	memset(&addrs[i], 0, sizeof(addrs[i]));
	snprintf(addrs[i].addr, sizeof(addrs[i].addr), "%s", addr);
	return i;
}

int addr_locked(const char *addr, int64_t now)
{
	int i = addr_slot(addr, 0, now);

	return i >= 0 && addrs[i].locked_until > now;
}

void addr_failed(const char *addr, int64_t now, int threshold, int64_t lock_ms)
{
	int i = addr_slot(addr, 1, now);

	addrs[i].last = now;
	if (++addrs[i].failures >= threshold)
		addrs[i].locked_until = now + lock_ms;
}

void addr_ok(const char *addr)
{
	int i = addr_slot(addr, 0, 0);

	if (i >= 0)
		memset(&addrs[i], 0, sizeof(addrs[i]));
}

void addr_clear(void)
{
	memset(addrs, 0, sizeof(addrs));
}
