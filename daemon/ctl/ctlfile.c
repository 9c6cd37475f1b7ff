/* Reading a whole file for a subcommand (ctl.h). */
#include <stdio.h>
#include <stdlib.h>

#include "ctl.h"

char *ctl_slurp(const char *file, size_t max, size_t *len)
{
	FILE *f = fopen(file, "rb");
	char *b = malloc(max + 1);

	*len = 0;
	if (f && b) {
		*len = fread(b, 1, max + 1, f);
		if (ferror(f) || *len > max) {
			free(b);
			b = NULL;
		} else {
			b[*len] = '\0';
		}
	} else {
		free(b);
		b = NULL;
	}
	if (f)
		fclose(f);
	return b;
}
