/*
 * A local mosquitto that iiotd manages (mqtt.manage = local): its
 * password file (mosquitto_passwd's format, PBKDF2-SHA512 hashes) and
 * its ACL file written from the device list, each device allowed to
 * publish to its own topic only and iiotd's user to read the whole
 * device topic space, then the broker told to reload them (SIGHUP).
 * Files are written beside their final name and renamed over it, so the
 * broker never reads half a file.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "auth/auth.h"
#include "south/mqbroker.h"

/* mosquitto_passwd's $7$: PBKDF2-HMAC-SHA512, 101 rounds, 12-byte salt */
#define MQ_PBKDF2_ROUNDS	101
#define MQ_SALT_LEN		12
#define MQ_HASH_LEN		64

int mq_hash_password(const char *pw, char *out, size_t len)
{
	unsigned char salt[MQ_SALT_LEN], h[MQ_HASH_LEN];
	char s64[32], h64[96];

	if (auth_random(salt, sizeof(salt)) ||
	    !PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, sizeof(salt),
			       MQ_PBKDF2_ROUNDS, EVP_sha512(), sizeof(h), h))
		return -1;
	EVP_EncodeBlock((unsigned char *)s64, salt, sizeof(salt));
	EVP_EncodeBlock((unsigned char *)h64, h, sizeof(h));
	return snprintf(out, len, "$7$%d$%s$%s", MQ_PBKDF2_ROUNDS, s64, h64) <
	       (int)len ? 0 : -1;
}

int mq_new_password(char *out, size_t len)
{
	static const char al[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
	unsigned char r[24];
	size_t i;

	if (len < sizeof(r) + 1 || auth_random(r, sizeof(r)))
		return -1;
	for (i = 0; i < sizeof(r); i++)
		out[i] = al[r[i] % (sizeof(al) - 1)];
	out[sizeof(r)] = 0;
	return 0;
}

int mq_write_file(const char *path, const char *text, unsigned int mode,
		  char *why, size_t whylen)
{
	char tmp[PATH_MAX + 8];
	size_t n = strlen(text);
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  mode);
	if (fd < 0 || write(fd, text, n) != (ssize_t)n || fsync(fd) ||
	    fchmod(fd, mode)) {
		snprintf(why, whylen, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) || rename(tmp, path)) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	char *a;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf ? *buf + *len : NULL, *buf ? *cap - *len : 0,
			      fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if (*buf && *len + (size_t)n < *cap) {
			*len += (size_t)n;
			return 0;
		}
		a = realloc(*buf, *cap * 2 + (size_t)n + 256);

		if (!a)
			return -1;
		*buf = a;
		*cap = *cap * 2 + (size_t)n + 256;
	}
}

int mq_broker_files(const struct mq_conf *mc, const char *own_hash,
		    char **passwd, char **acl)
{
	size_t pl = 0, pc = 0, al = 0, ac = 0, i;
	int rc = 0;

	*passwd = *acl = NULL;
	rc |= append(passwd, &pl, &pc, "%s:%s\n", mc->username, own_hash);
	rc |= append(acl, &al, &ac, "# written by iiotd from its MQTT device "
		     "list (docs/devices.md): changes are overwritten\n\n"
		     "user %s\ntopic read %s/#\n", mc->username, mc->root);
	for (i = 0; !rc && i < mc->ndevs; i++) {
		const struct mq_dev_conf *d = &mc->devs[i];

		if (d->password_hash[0])
			rc |= append(passwd, &pl, &pc, "%s:%s\n", d->username,
				     d->password_hash);
		/* a certificate's CN is the user (use_identity_as_username) */
		rc |= append(acl, &al, &ac, "\n# device %s\nuser %s\n"
			     "topic write %s\n", d->name, d->cert_cn[0] ?
			     d->cert_cn : d->username, d->topic);
	}
	if (rc) {
		free(*passwd);
		free(*acl);
		*passwd = *acl = NULL;
		return -1;
	}
	return 0;
}

int mq_broker_write(const struct mq_conf *mc, const char *own_hash,
		    char *why, size_t whylen)
{
	char *pw, *acl;
	int rc;

	if (mq_broker_files(mc, own_hash, &pw, &acl)) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	/* hashes only, but no reason to show them to everyone */
	rc = mq_write_file(mc->passwd_file, pw, 0640, why, whylen) ||
	     mq_write_file(mc->acl_file, acl, 0644, why, whylen) ? -1 : 0;
	free(pw);
	free(acl);
	return rc;
}

int mq_broker_reload(const struct mq_conf *mc, char *why, size_t whylen)
{
	char buf[32];
	ssize_t n;
	long pid;
	char *end;
	int fd;

	if (!mc->pid_file[0]) {
		snprintf(why, whylen, "no mqtt.pid_file: the broker reloads "
			 "when told");
		return -1;
	}
	fd = open(mc->pid_file, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		snprintf(why, whylen, "%s: %s", mc->pid_file, n < 0 ?
			 strerror(errno) : "empty");
		return -1;
	}
	buf[n] = 0;
	pid = strtol(buf, &end, 10);
	if (pid <= 1 || (*end && *end != '\n')) {
		snprintf(why, whylen, "%s: not a process id", mc->pid_file);
		return -1;
	}
	if (kill((pid_t)pid, SIGHUP)) {
		snprintf(why, whylen, "SIGHUP to %ld: %s", pid,
			 strerror(errno));
		return -1;
	}
	return 0;
}
