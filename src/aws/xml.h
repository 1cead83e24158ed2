#ifndef BLAMBDA_AWS_XML_H
#define BLAMBDA_AWS_XML_H

#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

/*
 * XML answers of the query and REST+XML APIs (IAM, STS, S3), parsed with
 * expat (loaded on first use, like libcurl) into a small tree. Names are
 * local names (a namespace prefix dropped); attributes are not kept, AWS's
 * answers carry none that blambda reads. A document that declares entities
 * (no AWS answer does) is refused, and so is one nested deeper than
 * XML_MAX_DEPTH.
 */

#define XML_MAX_DEPTH 64

struct xml_node {
	char *name;
	struct buf text; /* the character data directly inside, entities decoded */
	size_t start, end; /* where the element is in the document: its bytes [start, end) */
	struct xml_node *parent, *first, *last, *next;
};

/* Load expat now (before threads start parsing); -1 with err filled when it cannot be. */
int xml_load(struct error *err);

/*
 * Parse len bytes. NULL with `why` filled ("line 3: mismatched tag") when the
 * document is malformed, or when expat cannot be loaded. With `secret` every
 * text is kept in a buffer wiped on release (credentials). Caller frees with
 * xml_free().
 */
struct xml_node *xml_parse(const char *data, size_t len, int secret, struct buf *why);
void xml_free(struct xml_node *root);

/* The first child of n named `name`, or NULL. */
const struct xml_node *xml_child(const struct xml_node *n, const char *name);
/* The next sibling of n with n's name, or NULL: walks a list of <member> elements. */
const struct xml_node *xml_next(const struct xml_node *n);
/* The first element named `name` at or below n, depth first, or NULL. */
const struct xml_node *xml_find(const struct xml_node *n, const char *name);
/* The text of xml_find(n, name), or NULL when there is no such element. */
const char *xml_find_text(const struct xml_node *n, const char *name);

#endif
