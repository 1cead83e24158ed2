#ifndef BLAMBDA_PACKAGE_EDN_H
#define BLAMBDA_PACKAGE_EDN_H

#include <stddef.h>

#include "core/error.h"

/*
 * A reader for the EDN that bb.edn and pod manifests are written in: nil,
 * booleans, numbers, strings, characters, keywords, symbols, lists,
 * vectors, maps, sets, tagged values, comments, #_ discards and ^metadata
 * (skipped). Every value keeps its span in the source, so a part of a file
 * can be handed on verbatim.
 */

enum edn_type {
	EDN_NIL, EDN_BOOL, EDN_NUMBER, EDN_STRING, EDN_CHAR, EDN_KEYWORD, EDN_SYMBOL,
	EDN_LIST, EDN_VECTOR, EDN_MAP, EDN_SET, EDN_TAGGED,
};

struct edn {
	enum edn_type type;
	char *text;          /* strings decoded; keywords without ':'; symbols, numbers, tags as written */
	struct edn **items;  /* elements; a map holds key, value, key, value...; a tagged value its one value */
	size_t nr, alloc;
	int line, col;
	const char *start, *end; /* the value's text in the source */
};

/*
 * Parse the first value of text. NULL with err ("FILE:LINE:COL: ...",
 * EXIT_USAGE) on a mistake. The values point into text (start, end): it
 * must outlive them.
 */
struct edn *edn_parse(const char *text, const char *file, struct error *err);
void edn_free(struct edn *e);

/* The value of :key in a map, or NULL. */
const struct edn *edn_get(const struct edn *map, const char *key);

#endif
