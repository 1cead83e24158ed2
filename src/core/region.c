#include "core/region.h"

#include <string.h>

/* Whether name is a region name once upper-case letters are read as lower case; *upper says if it had any. */
static int shaped_like_region(const char *name, size_t n, int *upper)
{
	int ok = n && n <= 32 && strchr(name, '-') && name[n - 1] >= '0' && name[n - 1] <= '9';

	*upper = 0;
	for (size_t i = 0; ok && i < n; i++) {
		char c = name[i];

		*upper |= c >= 'A' && c <= 'Z';
		if (c == '-')
			ok = i && name[i + 1] != '-';
		else
			ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i && c >= '0' && c <= '9');
	}
	return ok;
}

int region_check(const char *name, struct buf *why)
{
	size_t n = strlen(name);
	int upper, ok = shaped_like_region(name, n, &upper);

	if (ok && !upper)
		return 0;
	buf_reset(why);
	if (ok) {
		buf_addf(why, "region names are lower case: '%s' is not one", name);
		return -1;
	}
	/* the value may be anything (an environment variable): shown short and printable */
	buf_adds(why, "region must look like 'eu-west-1', got '");
	buf_add_printable(why, name, n > 40 ? 40 : n, 0);
	buf_adds(why, n > 40 ? "...'" : "'");
	return -1;
}
