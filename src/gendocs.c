/*
 * blambda-gendocs: writes the man page and the shell completions from the
 * option tables at build time, so the installed docs match the binary.
 *
 *   blambda-gendocs man TEMPLATE OUT
 *   blambda-gendocs bash|zsh|fish OUT
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/complete.h"
#include "cli/man.h"
#include "cli/msg.h"
#include "cmd/cmd.h"
#include "core/buf.h"

int main(int argc, char **argv)
{
	FILE *out, *tmpl = NULL;
	const char *outpath;
	struct buf tmp = BUF_INIT;
	struct error err = ERROR_INIT;
	int r;

	if (argc < 3 || (!strcmp(argv[1], "man") && argc != 4)) {
		fprintf(stderr, "usage: blambda-gendocs man TEMPLATE OUT | bash|zsh|fish OUT\n");
		return 2;
	}
	outpath = argv[argc - 1];
	buf_addf(&tmp, "%s.tmp", outpath);
	out = fopen(tmp.ptr, "w");
	if (!out) {
		error("cannot write '%s': %s", tmp.ptr, strerror(errno));
		return 1;
	}
	if (!strcmp(argv[1], "man")) {
		tmpl = fopen(argv[2], "r");
		if (!tmpl) {
			error("cannot read '%s': %s", argv[2], strerror(errno));
			fclose(out);
			remove(tmp.ptr);
			return 1;
		}
		r = man_render(out, tmpl, argv[2], &blambda_commands, &err);
		fclose(tmpl);
		if (r)
			error_print(&err);
	} else {
		r = complete_write(out, argv[1], &blambda_commands);
		if (r)
			error("unknown shell '%s'", argv[1]);
	}
	if (fclose(out) || r || rename(tmp.ptr, outpath)) {
		if (!r)
			error("cannot write '%s': %s", outpath, strerror(errno));
		remove(tmp.ptr);
		buf_release(&tmp);
		error_release(&err);
		return 1;
	}
	buf_release(&tmp);
	error_release(&err);
	return 0;
}
