/*
 * iiotctl backup keygen|create|list|verify|restore|prune: encrypted
 * backups of iiotd's state (daemon/backup, docs/operations.md).
 *
 * Options come from [backup] in the configuration (-f FILE, default
 * /etc/iiot/iiotd.conf when it exists) and may be overridden on the
 * command line.  Run as root, the key, TLS material and configuration are
 * read first, with root's rights; everything in the state and backup
 * directories is then done with the state directory owner's (as
 * "iiotctl user" does).
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backup/backup.h"
#include "core/conf.h"
#include "core/iiotd.h"
#include "ctl.h"

#define CONF_DEFAULT	"/etc/iiot/iiotd.conf"

struct opts {
	const char *conf_path, *state, *dir, *key, *pass, *to;
	long keep;
	int64_t max_age_s;
	struct conf *conf;
	struct bak_conf bc;
};

static int usage(void)
{
	fprintf(stderr,
		"usage: iiotctl backup keygen FILE\n"
		"       iiotctl backup create  [OPTIONS]\n"
		"       iiotctl backup list    [OPTIONS]\n"
		"       iiotctl backup verify  [OPTIONS] FILE\n"
		"       iiotctl backup restore [OPTIONS] [--to DIR] FILE\n"
		"       iiotctl backup prune   [OPTIONS]\n"
		"options: -f CONF, --state DIR, --dir DIR, --key FILE | --passphrase-file FILE,\n"
		"         --keep N, --max-age DURATION\n");
	return 2;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "state", required_argument, NULL, 's' },
		{ "dir", required_argument, NULL, 'd' },
		{ "key", required_argument, NULL, 'k' },
		{ "passphrase-file", required_argument, NULL, 'p' },
		{ "to", required_argument, NULL, 't' },
		{ "keep", required_argument, NULL, 'n' },
		{ "max-age", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t ms;
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:", lo, NULL)) != -1) {
		switch (c) {
		case 'f': o->conf_path = optarg; break;
		case 's': o->state = optarg; break;
		case 'd': o->dir = optarg; break;
		case 'k': o->key = optarg; break;
		case 'p': o->pass = optarg; break;
		case 't': o->to = optarg; break;
		case 'n':
			o->keep = strtol(optarg, &end, 10);
			if (*end || o->keep < 0)
				return -1;
			break;
		case 'a':
			if (conf_parse_ms(optarg, &ms))
				return -1;
			o->max_age_s = (int64_t)(ms / 1000);
			break;
		default:
			return -1;
		}
	}
	return o->key && o->pass ? -1 : 0;
}

static int load_conf(struct opts *o)
{
	char err[512];

	if (!o->conf_path && !access(CONF_DEFAULT, F_OK))
		o->conf_path = CONF_DEFAULT;
	o->conf = o->conf_path ? conf_load(o->conf_path, err, sizeof(err)) : conf_empty();
	if (!o->conf || bak_conf_get(o->conf, &o->bc, err, sizeof(err))) {
		fprintf(stderr, "iiotctl: %s\n", err);
		return -1;
	}
	if (!o->state)
		o->state = getenv("IIOT_STATE_DIR");
	if (!o->state || !*o->state)
		o->state = conf_get(o->conf, "iiotd", "state_dir");
	if (!o->state)
		o->state = IIOTD_DEFAULT_STATE_DIR;
	if (!o->dir)
		o->dir = o->bc.dir;
	if (o->keep < 0)
		o->keep = (long)o->bc.keep;
	if (o->max_age_s < 0)
		o->max_age_s = (int64_t)(o->bc.max_age_ms / 1000);
	return 0;
}

static int secret(const struct opts *o, struct bak_secret *s)
{
	char err[512];
	int rc;

	if (o->pass)
		rc = bak_secret_passfile(s, o->pass, err, sizeof(err));
	else if (o->key)
		rc = bak_secret_keyfile(s, o->key, err, sizeof(err));
	else
		rc = bak_conf_secret(&o->bc, s, err, sizeof(err));
	if (rc)
		fprintf(stderr, "iiotctl: %s\n", err);
	return rc;
}

/* as root: a new backup directory belongs to the state directory's owner */
static int backup_dir(const struct opts *o)
{
	struct stat st;

	if (!stat(o->dir, &st))
		return 0;
	if (errno != ENOENT || mkdir(o->dir, 0700)) {
		fprintf(stderr, "iiotctl: %s: %s\n", o->dir, strerror(errno));
		return -1;
	}
	if (geteuid() == 0 && !stat(o->state, &st) && chown(o->dir, st.st_uid, st.st_gid)) {
		fprintf(stderr, "iiotctl: chown %s: %s\n", o->dir, strerror(errno));
		return -1;
	}
	return 0;
}

static int do_create(struct opts *o)
{
	struct bak_secret s;
	struct bak_plan p;
	char err[512], out[4096];
	int rc = 1, gone;

	if (secret(o, &s))
		return 1;
	if (bak_plan_make(&p, o->conf, o->conf_path, o->state, err, sizeof(err)) ||
	    bak_plan_read(&p, BAK_READ_OTHERS, err, sizeof(err))) {
		fprintf(stderr, "iiotctl: %s\n", err);
		goto out;
	}
	if (backup_dir(o) || ctl_as_state_owner(o->state))
		goto out;
	if (bak_plan_read(&p, BAK_READ_STATE, err, sizeof(err))) {
		fprintf(stderr, "iiotctl: %s\n", err);
		goto out;
	}
	if (bak_create(&p, o->dir, &s, out, sizeof(out), err, sizeof(err))) {
		fprintf(stderr, "iiotctl: backup failed: %s\n", err);
		goto out;
	}
	printf("%s\n", out);
	gone = bak_prune(o->dir, (int)o->keep, o->max_age_s, err, sizeof(err));
	if (gone < 0)
		fprintf(stderr, "iiotctl: pruning: %s\n", err);
	else if (gone)
		printf("pruned %d old backup%s\n", gone, gone == 1 ? "" : "s");
	rc = 0;
out:
	bak_plan_free(&p);
	bak_secret_wipe(&s);
	return rc;
}

static int do_list(const struct opts *o)
{
	struct bak_listing *l = calloc(4096, sizeof(*l));
	char err[512], when[32];
	time_t now = time(NULL);
	int n, i;

	if (!l)
		return 1;
	n = bak_list(o->dir, l, 4096, err, sizeof(err));
	if (n < 0)
		fprintf(stderr, "iiotctl: %s\n", err);
	for (i = 0; i < n; i++) {
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&l[i].when));
		printf("%-36s %s %12lld bytes %8llds old\n", l[i].name, when,
		       (long long)l[i].size, (long long)(now - l[i].when));
	}
	free(l);
	return n < 0 ? 1 : 0;
}

static void show(const struct bak_manifest *m)
{
	size_t i;

	printf("created %s on %s (iiot %s, state %s)\n", m->created, m->host, m->version,
	       m->state_dir);
	for (i = 0; i < m->n; i++)
		printf("  %-18s %12llu bytes  from %s\n", m->e[i].name,
		       (unsigned long long)m->e[i].size, m->e[i].path);
}

static int do_verify(const struct opts *o, const char *file)
{
	struct bak_manifest *m = calloc(1, sizeof(*m));
	struct bak_secret s;
	char err[512];
	int rc = 1;

	if (!m || secret(o, &s))
		goto out;
	if (bak_verify(file, &s, m, err, sizeof(err)))
		fprintf(stderr, "iiotctl: %s: %s\n", file, err);
	else {
		printf("%s: authentic and complete, every checksum matches\n", file);
		show(m);
		rc = 0;
	}
	bak_secret_wipe(&s);
out:
	free(m);
	return rc;
}

/*
 * As root, a new (root's) state directory is handed to iiotd's user first,
 * as iiotd itself would: what the restore writes there is then that
 * user's, every database included, listed in iiotd's hand-over or not.
 */
static int hand_state_over(const struct opts *o)
{
	const char *user = conf_get(o->conf, "iiotd", "user");
	struct passwd *pw;
	struct stat st;

	if (geteuid() != 0 || stat(o->state, &st) || st.st_uid != 0)
		return 0;
	pw = getpwnam(user ? user : "iiot");
	if (!pw)
		return 0;
	if (chown(o->state, pw->pw_uid, pw->pw_gid)) {
		fprintf(stderr, "iiotctl: chown %s: %s\n", o->state, strerror(errno));
		return -1;
	}
	return 0;
}

static int do_restore(const struct opts *o, const char *file)
{
	struct bak_manifest *m = calloc(1, sizeof(*m));
	struct bak_restore_opts ro = { .state_dir = o->state, .other_dir = o->to };
	struct bak_secret s;
	char err[512];
	int rc = 1;

	if (!m || secret(o, &s))
		goto out;
	if (mkdir(o->state, 0700) && errno != EEXIST) {
		fprintf(stderr, "iiotctl: %s: %s\n", o->state, strerror(errno));
		goto wipe;
	}
	if (hand_state_over(o) || ctl_as_state_owner(o->state))
		goto wipe;
	if (bak_restore(file, &s, &ro, m, err, sizeof(err))) {
		fprintf(stderr, "iiotctl: %s: %s; nothing was changed\n", file, err);
		goto wipe;
	}
	printf("restored %s into %s (what was there is kept as NAME.pre-restore)\n", file,
	       o->state);
	show(m);
	printf("configuration and TLS material: in %s/restored unless --to; put them in place "
	       "before starting iiotd\n", o->to ? o->to : o->state);
	rc = 0;
wipe:
	bak_secret_wipe(&s);
out:
	free(m);
	return rc;
}

static int do_prune(const struct opts *o)
{
	char err[512];
	int gone;

	if (ctl_as_state_owner(o->state))
		return 1;
	gone = bak_prune(o->dir, (int)o->keep, o->max_age_s, err, sizeof(err));
	if (gone < 0) {
		fprintf(stderr, "iiotctl: %s\n", err);
		return 1;
	}
	printf("pruned %d old backup%s\n", gone, gone == 1 ? "" : "s");
	return 0;
}

static int run_backup(int argc, char **argv)
{
	struct opts o = { .keep = -1, .max_age_s = -1 };
	const char *sub = argc > 1 ? argv[1] : "";
	char err[512];
	int rc;

	if (!strcmp(sub, "keygen")) {
		if (argc != 3)
			return usage();
		if (bak_keyfile_create(argv[2], err, sizeof(err))) {
			fprintf(stderr, "iiotctl: %s\n", err);
			return 1;
		}
		printf("%s: a new backup key; keep a copy apart from the backups\n", argv[2]);
		return 0;
	}
	if (parse(argc - 1, argv + 1, &o))
		return usage();
	if (load_conf(&o)) {
		conf_free(o.conf);
		return 1;
	}
	argc -= optind + 1;
	argv += optind + 1;
	if (!strcmp(sub, "create") && !argc)
		rc = do_create(&o);
	else if (!strcmp(sub, "list") && !argc)
		rc = do_list(&o);
	else if (!strcmp(sub, "verify") && argc == 1)
		rc = do_verify(&o, argv[0]);
	else if (!strcmp(sub, "restore") && argc == 1)
		rc = do_restore(&o, argv[0]);
	else if (!strcmp(sub, "prune") && !argc)
		rc = do_prune(&o);
	else
		rc = usage();
	conf_free(o.conf);
	return rc;
}

const struct ctl_cmd cmd_backup = {
	.name = "backup",
	.args = "keygen|create|list|verify|restore|prune [OPTIONS] [FILE]",
	.help = "encrypted backups of the state: make, list, check, restore, prune",
	.run = run_backup,
};
