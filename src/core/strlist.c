#include "core/strlist.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xalloc.h"

void strlist_add_owned(struct strlist *l, char *s)
{
	XGROW(l->items, l->alloc, l->nr + 1);
	l->items[l->nr++] = s;
}

void strlist_add(struct strlist *l, const char *s)
{
	strlist_add_owned(l, xstrdup(s));
}

void strlist_add_all(struct strlist *l, const struct strlist *from)
{
	for (size_t i = 0; from && i < from->nr; i++)
		strlist_add(l, from->items[i]);
}

int strlist_equal(const struct strlist *a, const struct strlist *b)
{
	if (a->nr != b->nr)
		return 0;
	for (size_t i = 0; i < a->nr; i++)
		if (strcmp(a->items[i], b->items[i]))
			return 0;
	return 1;
}

int strlist_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->nr; i++)
		if (!strcmp(l->items[i], s))
			return 1;
	return 0;
}

void strlist_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->nr = l->alloc = 0;
}

void strlist_split(struct strlist *l, const char *s, char sep)
{
	while (*s) {
		const char *end = strchr(s, sep);
		const char *e = end ? end : s + strlen(s);
		const char *b = s;

		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > b)
			strlist_add_owned(l, xstrndup(b, (size_t)(e - b)));
		if (!end)
			break;
		s = end + 1;
	}
}

void kvlist_add(struct kvlist *l, const char *key, const char *value)
{
	XGROW(l->items, l->alloc, l->nr + 1);
	l->items[l->nr].key = xstrdup(key);
	l->items[l->nr].value = xstrdup(value);
	l->nr++;
}

const char *kvlist_get_nocase(const struct kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->nr; i++)
		if (!strcasecmp(l->items[i].key, key))
			return l->items[i].value;
	return NULL;
}

void kvlist_remove_nocase(struct kvlist *l, const char *key)
{
	size_t j = 0;

	for (size_t i = 0; i < l->nr; i++) {
		if (!strcasecmp(l->items[i].key, key)) {
			free(l->items[i].key);
			free(l->items[i].value);
		} else {
			l->items[j++] = l->items[i];
		}
	}
	l->nr = j;
}

void kvlist_set(struct kvlist *l, const char *key, const char *value)
{
	for (size_t i = 0; i < l->nr; i++) {
		if (!strcmp(l->items[i].key, key)) {
			free(l->items[i].value);
			l->items[i].value = xstrdup(value);
			return;
		}
	}
	kvlist_add(l, key, value);
}

const char *kvlist_get(const struct kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->nr; i++)
		if (!strcmp(l->items[i].key, key))
			return l->items[i].value;
	return NULL;
}

void kvlist_clear(struct kvlist *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		free(l->items[i].key);
		free(l->items[i].value);
	}
	free(l->items);
	l->items = NULL;
	l->nr = l->alloc = 0;
}

static int cmp_items(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strlist_sort(struct strlist *l)
{
	if (l->nr > 1)
		qsort(l->items, l->nr, sizeof(*l->items), cmp_items);
}
