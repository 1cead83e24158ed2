#ifndef BLAMBDA_CORE_STRLIST_H
#define BLAMBDA_CORE_STRLIST_H

#include <stddef.h>

/* An owned list of strings. */
struct strlist {
	char **items;
	size_t nr, alloc;
};
#define STRLIST_INIT { NULL, 0, 0 }

void strlist_add(struct strlist *l, const char *s);        /* copies s */
void strlist_add_owned(struct strlist *l, char *s);        /* takes s */
int strlist_has(const struct strlist *l, const char *s);
/* 1 when a and b hold the same strings in the same order */
int strlist_equal(const struct strlist *a, const struct strlist *b);
/* Copies of every string of from (NULL: none) appended to l */
void strlist_add_all(struct strlist *l, const struct strlist *from);
void strlist_clear(struct strlist *l);
/* Sort the items bytewise (strcmp). */
void strlist_sort(struct strlist *l);
/* Split s at every `sep` (empty pieces dropped, pieces trimmed of spaces) and add each. */
void strlist_split(struct strlist *l, const char *s, char sep);

/* An owned list of key/value pairs, keeping the order they were added in. */
struct kv {
	char *key, *value;
};
struct kvlist {
	struct kv *items;
	size_t nr, alloc;
};
#define KVLIST_INIT { NULL, 0, 0 }

/* Append key=value (copies both), keeping any earlier entry with the same key. */
void kvlist_add(struct kvlist *l, const char *key, const char *value);
/* Set key to value (copies both), replacing an existing key in place. */
void kvlist_set(struct kvlist *l, const char *key, const char *value);
const char *kvlist_get(const struct kvlist *l, const char *key);
/* Like kvlist_get, with keys compared without regard to case (HTTP header names). */
const char *kvlist_get_nocase(const struct kvlist *l, const char *key);
void kvlist_remove_nocase(struct kvlist *l, const char *key);
void kvlist_clear(struct kvlist *l);

#endif
