/*
 * A trivial stand-in for bb, for measuring bootstrap's own cost: it speaks the
 * runtime protocol (two lines in, one line out) and answers every event with
 * {"ok":true} at once.
 */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	FILE *in = fopen(getenv("BLAMBDA_EVENTS"), "r");
	FILE *out = fopen(getenv("BLAMBDA_ANSWERS"), "w");
	char *line = NULL;
	size_t cap = 0;

	if (!in || !out)
		return 1;
	fputs("I\n", out);
	fflush(out);
	while (getline(&line, &cap, in) > 0 && getline(&line, &cap, in) > 0) {
		fputs("R{\"ok\":true}\n", out);
		fflush(out);
	}
	free(line);
	return 0;
}
