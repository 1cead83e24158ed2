#ifndef BLAMBDA_CORE_XALLOC_H
#define BLAMBDA_CORE_XALLOC_H

#include <stddef.h>

/*
 * Allocation that cannot fail: on exhaustion these print a message and exit
 * with status 1. Every pointer they return is owned by the caller.
 */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* xstrdup, or NULL for NULL */
char *xstrdup_or_null(const char *s);

/* Grow *ptr (an array of elem-sized items with room for *alloc) to hold nr items. */
void xgrow(void **ptr, size_t *alloc, size_t nr, size_t elem);
#define XGROW(ptr, alloc, nr) xgrow((void **)&(ptr), &(alloc), (nr), sizeof(*(ptr)))

#endif
