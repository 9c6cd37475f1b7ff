/* iiotctl: the control engineer's command line; dispatches subcommands. */
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static const struct ctl_cmd *const ctl_cmds[] = {
#define CTL_CMD(n) &cmd_##n,
#include "ctl_cmds.h"
#undef CTL_CMD
};

#define N_CMDS (sizeof(ctl_cmds) / sizeof(ctl_cmds[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: iiotctl COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < N_CMDS; i++)
		fprintf(f, "  %-10s %-28s %s\n", ctl_cmds[i]->name,
			ctl_cmds[i]->args, ctl_cmds[i]->help);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (i = 0; i < N_CMDS; i++)
		if (!strcmp(argv[1], ctl_cmds[i]->name))
			return ctl_cmds[i]->run(argc - 1, argv + 1);
	fprintf(stderr, "iiotctl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
