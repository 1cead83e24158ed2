#include "aws/xml.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/lazy.h"
#include "core/xalloc.h"

/* expat, loaded on first use (see core/lazy.h) */
static struct {
	XML_Parser (*parser_create)(const XML_Char *encoding);
	void (*parser_free)(XML_Parser p);
	void (*set_user_data)(XML_Parser p, void *data);
	void (*set_element_handler)(XML_Parser p, XML_StartElementHandler start, XML_EndElementHandler end);
	void (*set_character_data_handler)(XML_Parser p, XML_CharacterDataHandler h);
	void (*set_entity_decl_handler)(XML_Parser p, XML_EntityDeclHandler h);
	enum XML_Status (*parse)(XML_Parser p, const char *s, int len, int is_final);
	enum XML_Error (*get_error_code)(XML_Parser p);
	const XML_LChar *(*error_string)(enum XML_Error code);
	XML_Size (*current_line)(XML_Parser p);
	enum XML_Status (*stop_parser)(XML_Parser p, XML_Bool resumable);
	XML_Index (*byte_index)(XML_Parser p);
	int (*byte_count)(XML_Parser p);
} expat;

#define SYM(field, symbol) LAZY_SYM(expat, field, symbol)

static struct lazy_lib expat_lib = LAZY_LIB("libexpat.so.1", "libexpat1");

static int expat_load(struct error *err)
{
	const struct lazy_sym syms[] = {
		SYM(parser_create, "XML_ParserCreate"),
		SYM(parser_free, "XML_ParserFree"),
		SYM(set_user_data, "XML_SetUserData"),
		SYM(set_element_handler, "XML_SetElementHandler"),
		SYM(set_character_data_handler, "XML_SetCharacterDataHandler"),
		SYM(set_entity_decl_handler, "XML_SetEntityDeclHandler"),
		SYM(parse, "XML_Parse"),
		SYM(get_error_code, "XML_GetErrorCode"),
		SYM(error_string, "XML_ErrorString"),
		SYM(current_line, "XML_GetCurrentLineNumber"),
		SYM(stop_parser, "XML_StopParser"),
		SYM(byte_index, "XML_GetCurrentByteIndex"),
		SYM(byte_count, "XML_GetCurrentByteCount"),
	};

	return lazy_open(&expat_lib, syms, ARRAY_SIZE(syms), err);
}

int xml_load(struct error *err)
{
	return expat_load(err);
}

struct parse_state {
	XML_Parser parser;
	struct xml_node *root, *cur;
	int depth, secret;
	const char *why; /* set when a handler stopped the parser */
};

static void on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct parse_state *st = ud;
	const char *colon = strchr(name, ':');
	struct xml_node *n;

	(void)attrs;
	if (++st->depth > XML_MAX_DEPTH) {
		st->why = "nested too deep";
		expat.stop_parser(st->parser, XML_FALSE);
		return;
	}
	n = xcalloc(1, sizeof(*n));
	n->name = xstrdup(colon ? colon + 1 : name);
	buf_init(&n->text);
	n->text.secret = (unsigned)st->secret;
	n->parent = st->cur;
	n->start = (size_t)expat.byte_index(st->parser);
	n->end = n->start + (size_t)expat.byte_count(st->parser); /* <empty/>: its end is its tag's */
	if (!st->cur) {
		st->root = n;
	} else {
		if (st->cur->last)
			st->cur->last->next = n;
		else
			st->cur->first = n;
		st->cur->last = n;
	}
	st->cur = n;
}

static void on_end(void *ud, const XML_Char *name)
{
	struct parse_state *st = ud;

	(void)name;
	st->depth--;
	if (st->cur && expat.byte_count(st->parser) > 0)
		st->cur->end = (size_t)expat.byte_index(st->parser) + (size_t)expat.byte_count(st->parser);
	if (st->cur)
		st->cur = st->cur->parent;
}

static void on_text(void *ud, const XML_Char *s, int len)
{
	struct parse_state *st = ud;

	if (st->cur && len > 0)
		buf_add(&st->cur->text, s, (size_t)len);
}

static void on_entity_decl(void *ud, const XML_Char *name, int is_param, const XML_Char *value, int value_len,
			   const XML_Char *base, const XML_Char *system_id, const XML_Char *public_id,
			   const XML_Char *notation)
{
	struct parse_state *st = ud;

	(void)name, (void)is_param, (void)value, (void)value_len, (void)base, (void)system_id, (void)public_id;
	(void)notation;
	st->why = "it declares entities";
	expat.stop_parser(st->parser, XML_FALSE);
}

struct xml_node *xml_parse(const char *data, size_t len, int secret, struct buf *why)
{
	struct parse_state st = { 0 };
	struct error err = ERROR_INIT;
	enum XML_Status status;

	if (expat_load(&err)) {
		buf_addf(why, "%s, to read the answer", err.message);
		error_release(&err);
		return NULL;
	}
	if (len > (size_t)0x7fffffff) {
		buf_adds(why, "the document is too large");
		return NULL;
	}
	st.secret = secret;
	st.parser = expat.parser_create(NULL);
	if (!st.parser) {
		buf_adds(why, "cannot create an XML parser");
		return NULL;
	}
	expat.set_user_data(st.parser, &st);
	expat.set_element_handler(st.parser, on_start, on_end);
	expat.set_character_data_handler(st.parser, on_text);
	expat.set_entity_decl_handler(st.parser, on_entity_decl);
	status = expat.parse(st.parser, data ? data : "", (int)len, 1);
	if (status != XML_STATUS_OK || !st.root) {
		unsigned long line = (unsigned long)expat.current_line(st.parser);

		if (st.why)
			buf_addf(why, "line %lu: %s", line, st.why);
		else if (!st.root && status == XML_STATUS_OK)
			buf_adds(why, "no element");
		else
			buf_addf(why, "line %lu: %s", line, expat.error_string(expat.get_error_code(st.parser)));
		expat.parser_free(st.parser);
		xml_free(st.root);
		return NULL;
	}
	expat.parser_free(st.parser);
	return st.root;
}

void xml_free(struct xml_node *n)
{
	/* iterative over siblings, recursive over depth (bounded by XML_MAX_DEPTH) */
	while (n) {
		struct xml_node *next = n->next;

		xml_free(n->first);
		free(n->name);
		buf_release(&n->text);
		free(n);
		n = next;
	}
}

const struct xml_node *xml_child(const struct xml_node *n, const char *name)
{
	for (const struct xml_node *c = n ? n->first : NULL; c; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

const struct xml_node *xml_next(const struct xml_node *n)
{
	for (const struct xml_node *c = n ? n->next : NULL; c; c = c->next)
		if (!strcmp(c->name, n->name))
			return c;
	return NULL;
}

const struct xml_node *xml_find(const struct xml_node *n, const char *name)
{
	if (!n)
		return NULL;
	if (!strcmp(n->name, name))
		return n;
	for (const struct xml_node *c = n->first; c; c = c->next) {
		const struct xml_node *f = xml_find(c, name);

		if (f)
			return f;
	}
	return NULL;
}

const char *xml_find_text(const struct xml_node *n, const char *name)
{
	const struct xml_node *f = xml_find(n, name);

	return f ? f->text.ptr : NULL;
}
