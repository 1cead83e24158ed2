#ifndef BLAMBDA_CONFIG_INTERNAL_H
#define BLAMBDA_CONFIG_INTERNAL_H

/* What the files of config/ share: keys.c, config.c (values, layering) and yaml.c. */
#include "config/config.h"
#include "core/error.h"

/* The last part of a dotted key: "memory" of "function.memory". */
const char *config_key_leaf(const char *key);

/* Free what a value holds and zero it. */
void config_value_clear(struct cfg_value *v);
/*
 * Check one scalar for key k and store it in into. On a bad value fills
 * `why` (the message without a location) and returns -1, leaving into as it
 * was.
 */
int config_parse_scalar(const struct cfg_key *k, const char *text, struct cfg_value *into, struct buf *why);
/* Mark v present, from src at origin (a line of the file, when it is the file). */
void config_set_origin(struct cfg_value *v, enum cfg_source src, const char *origin, int line);

/* function.policies' check_tree */
int config_check_policies(const struct cfg_node *n, struct buf *why, const struct cfg_node **at);

/* function.events' check_tree */
int config_check_events(const struct cfg_node *n, struct buf *why, const struct cfg_node **at);

#endif
