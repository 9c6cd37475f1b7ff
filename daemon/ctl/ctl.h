/* iiotctl: one subcommand per file daemon/ctl/cmd_<name>.c. */
#ifndef IIOT_CTL_H
#define IIOT_CTL_H

struct ctl_cmd {
	const char *name;
	const char *args;	/* "[--json] FILE", shown in usage */
	const char *help;	/* one line */
	/* argv[0] is the subcommand name; returns the exit status */
	int (*run)(int argc, char **argv);
};

/*
 * statedir.c: --state DIR (consumed from argv), $IIOT_STATE_DIR or the
 * default; then, as root, take the directory owner's file-system identity
 * before touching anything in it (0, or -1 after saying why).
 */
const char *ctl_state_dir(int *argc, char ***argv);
int ctl_as_state_owner(const char *dir);

/*
 * ctlfile.c: the whole of file (malloc'd, NUL-terminated) and its length,
 * or NULL when it cannot be read or holds more than max bytes.
 */
#include <stddef.h>
char *ctl_slurp(const char *file, size_t max, size_t *len);

/*
 * ctljson.c: o's string k ("" when absent or not a string), its integer
 * k (0 likewise).
 */
struct json_t;
const char *ctl_jstr(struct json_t *o, const char *k);
long long ctl_jnum(struct json_t *o, const char *k);

#define CTL_CMD(n) extern const struct ctl_cmd cmd_##n;
#include "ctl_cmds.h"
#undef CTL_CMD

#endif
