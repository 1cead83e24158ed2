/*
 * CFG_TREE values: YAML kept as nodes with their places in blambda.yml, for
 * settings whose shape a flat key cannot hold.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"
#include "core/xalloc.h"

static void node_release(struct cfg_node *n)
{
	for (size_t i = 0; i < n->nkids; i++)
		node_release(&n->kids[i]);
	free(n->kids);
	free(n->key);
	free(n->value);
}

void cfg_node_free(struct cfg_node *n)
{
	if (!n)
		return;
	node_release(n);
	free(n);
}

static void node_copy(struct cfg_node *to, const struct cfg_node *from)
{
	*to = *from;
	to->key = xstrdup_or_null(from->key);
	to->value = xstrdup_or_null(from->value);
	to->kids = from->nkids ? xcalloc(from->nkids, sizeof(*to->kids)) : NULL;
	for (size_t i = 0; i < from->nkids; i++)
		node_copy(&to->kids[i], &from->kids[i]);
}

struct cfg_node *cfg_node_copy(const struct cfg_node *n)
{
	struct cfg_node *c;

	if (!n)
		return NULL;
	c = xmalloc(sizeof(*c));
	node_copy(c, n);
	return c;
}

const struct cfg_node *cfg_node_get(const struct cfg_node *map, const char *key)
{
	for (size_t i = 0; map && map->type == CFG_NODE_MAP && i < map->nkids; i++)
		if (!strcmp(map->kids[i].key, key))
			return &map->kids[i];
	return NULL;
}

const struct cfg_node *config_tree(const struct config *cfg, enum cfg_id id)
{
	return cfg->v[id].present ? cfg->v[id].tree : NULL;
}

/* A scalar as flow YAML: plain when that reads back the same, else double-quoted */
static void flow_scalar(const char *s, int quoted, struct buf *out)
{
	if (!quoted && *s && !strpbrk(s, ",[]{}:#\"'\n\t") && s[0] != ' ' && s[strlen(s) - 1] != ' ')
		buf_adds(out, s);
	else
		config_yaml_quote(out, s);
}

void cfg_node_format(const struct cfg_node *n, struct buf *out)
{
	switch (n->type) {
	case CFG_NODE_SCALAR:
		flow_scalar(n->value, n->quoted, out);
		break;
	case CFG_NODE_LIST:
	case CFG_NODE_MAP:
		buf_addch(out, n->type == CFG_NODE_LIST ? '[' : '{');
		for (size_t i = 0; i < n->nkids; i++) {
			if (i)
				buf_adds(out, ", ");
			if (n->type == CFG_NODE_MAP) {
				flow_scalar(n->kids[i].key, 0, out);
				buf_adds(out, ": ");
			}
			cfg_node_format(&n->kids[i], out);
		}
		buf_addch(out, n->type == CFG_NODE_LIST ? ']' : '}');
		break;
	}
}

static void json_string(const char *s, struct buf *out)
{
	cJSON *str = cJSON_CreateString(s);
	char *text = cJSON_PrintUnformatted(str);

	buf_adds(out, text ? text : "\"\"");
	cJSON_free(text);
	cJSON_Delete(str);
}

/* A plain scalar JSON takes as it is: a number as JSON writes one, true, false, null */
static int json_literal(const char *s)
{
	const char *p = s;

	if (!strcmp(s, "true") || !strcmp(s, "false") || !strcmp(s, "null"))
		return 1;
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return 0;
	if (*p == '.') {
		if (!(*++p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return !*p;
}

void cfg_node_json(const struct cfg_node *n, struct buf *out)
{
	switch (n->type) {
	case CFG_NODE_SCALAR:
		if (!n->quoted && !*n->value)
			buf_adds(out, "null");
		else if (!n->quoted && json_literal(n->value))
			buf_adds(out, n->value);
		else
			json_string(n->value, out);
		break;
	case CFG_NODE_LIST:
	case CFG_NODE_MAP:
		buf_addch(out, n->type == CFG_NODE_LIST ? '[' : '{');
		for (size_t i = 0; i < n->nkids; i++) {
			if (i)
				buf_addch(out, ',');
			if (n->type == CFG_NODE_MAP) {
				json_string(n->kids[i].key, out);
				buf_addch(out, ':');
			}
			cfg_node_json(&n->kids[i], out);
		}
		buf_addch(out, n->type == CFG_NODE_LIST ? ']' : '}');
		break;
	}
}
