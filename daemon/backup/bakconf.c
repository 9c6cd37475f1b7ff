/*
 * [backup]: where backups go, the key or passphrase that seals them
 * (kept apart from them), the schedule and the retention.
 *
 *	dir = /var/backups/iiot
 *	key_file = /etc/iiot/backup.key     or   passphrase_file = FILE
 *	interval = 15m                      (0: no scheduled backups)
 *	keep = 96
 *	max_age = 30d
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backup/backup.h"
#include "core/conf.h"

#define DEF_KEEP	96
#define DEF_MAX_AGE	(30ULL * 86400 * 1000)

int bak_conf_get(const struct conf *c, struct bak_conf *b, char *err, size_t errlen)
{
	static const char *const keys[] = { "dir", "key_file", "passphrase_file", "interval",
					     "keep", "max_age", NULL };
	const char *dir = conf_get(c, "backup", "dir"), *key = conf_get(c, "backup", "key_file");
	const char *pass = conf_get(c, "backup", "passphrase_file");

	memset(b, 0, sizeof(*b));
	b->configured = conf_has_section(c, "backup");
	if (conf_check_keys(c, "backup", keys, err, errlen) ||
	    conf_get_ms(c, "backup", "interval", BAK_DEFAULT_INTERVAL_MS, 0, 7ULL * 86400 * 1000,
			&b->interval_ms, err, errlen) ||
	    conf_get_u64(c, "backup", "keep", DEF_KEEP, 1, 100000, &b->keep, err, errlen) ||
	    conf_get_ms(c, "backup", "max_age", DEF_MAX_AGE, 0, 3650ULL * 86400 * 1000,
			&b->max_age_ms, err, errlen))
		return -1;
	if (b->interval_ms && b->interval_ms < 60000) {
		conf_errf(c, conf_find(c, "backup", "interval"), err, errlen,
			  "backup.interval: 0 or at least 1m");
		return -1;
	}
	if (key && pass) {
		conf_errf(c, conf_find(c, "backup", "passphrase_file"), err, errlen,
			  "backup: key_file or passphrase_file, not both");
		return -1;
	}
	snprintf(b->dir, sizeof(b->dir), "%s", dir ? dir : BAK_DEFAULT_DIR);
	if (pass)
		snprintf(b->pass_file, sizeof(b->pass_file), "%s", pass);
	else
		snprintf(b->key_file, sizeof(b->key_file), "%s", key ? key : BAK_DEFAULT_KEY);
	return 0;
}

int bak_conf_secret(const struct bak_conf *b, struct bak_secret *s, char *err, size_t errlen)
{
	if (b->pass_file[0])
		return bak_secret_passfile(s, b->pass_file, err, errlen);
	return bak_secret_keyfile(s, b->key_file, err, errlen);
}

int bak_path(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len) {
		*out = '\0';
		return -1;
	}
	return 0;
}
