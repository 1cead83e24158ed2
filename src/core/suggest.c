#include "core/suggest.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t w = lb + 1;
	size_t *d = xmalloc((la + 1) * w * sizeof(*d));
	size_t r;

	for (size_t i = 0; i <= la; i++)
		d[i * w] = i;
	for (size_t j = 0; j <= lb; j++)
		d[j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = d[(i - 1) * w + j] + 1;

			if (d[i * w + j - 1] + 1 < best)
				best = d[i * w + j - 1] + 1;
			if (d[(i - 1) * w + j - 1] + cost < best)
				best = d[(i - 1) * w + j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[(i - 2) * w + j - 2] + 1 < best)
				best = d[(i - 2) * w + j - 2] + 1;
			d[i * w + j] = best;
		}
	}
	r = d[la * w + lb];
	free(d);
	return r;
}

const char *suggest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL, *prefixed = NULL;
	size_t best_d = (size_t)-1, nprefixed = 0;
	size_t len = strlen(word);
	/* one edit per three characters, at least one and at most three */
	size_t limit = len / 3 < 1 ? 1 : len / 3 > 3 ? 3 : len / 3;

	for (size_t i = 0; i < n; i++) {
		size_t d;

		if (!cands[i])
			continue;
		if (len >= 2 && !strncmp(cands[i], word, len)) {
			prefixed = cands[i];
			nprefixed++;
		}
		d = edit_distance(word, cands[i]);
		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	if (best && best_d <= limit && best_d < len)
		return best;
	if (nprefixed == 1)
		return prefixed;
	return NULL;
}
