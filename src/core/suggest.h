#ifndef BLAMBDA_CORE_SUGGEST_H
#define BLAMBDA_CORE_SUGGEST_H

#include <stddef.h>

/* Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
size_t edit_distance(const char *a, const char *b);

/*
 * The candidate closest to `word`, or NULL when none is close enough to be a
 * plausible typo (or when word is a prefix of exactly one candidate, that one).
 * `cands` has `n` entries; NULL entries are skipped.
 */
const char *suggest(const char *word, const char *const *cands, size_t n);

#endif
