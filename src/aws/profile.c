#include "aws/profile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"

static char *home_path(const char *rel)
{
	const char *home = getenv("HOME");
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s/%s", home ? home : ".", rel);
	return buf_detach(&b);
}

static char *expand(const char *path)
{
	if (path[0] == '~' && path[1] == '/')
		return home_path(path + 2);
	return xstrdup(path);
}

const char *aws_display_path(const char *path)
{
	/* a few buffers in turn, so one message can show two paths */
	static char bufs[4][4096];
	static int next;
	char *out = bufs[next++ % 4];
	const char *home = getenv("HOME");
	size_t n = home ? strlen(home) : 0;

	if (n && !strncmp(path, home, n) && path[n] == '/')
		snprintf(out, sizeof(bufs[0]), "~%s", path + n);
	else
		snprintf(out, sizeof(bufs[0]), "%s", path);
	return out;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static struct aws_section *section(struct aws_profiles *p, const char *kind, const char *name, const char *file)
{
	for (size_t i = 0; i < p->nr; i++)
		if (!strcmp(p->sections[i].kind, kind) && !strcmp(p->sections[i].name, name) &&
		    !strcmp(p->sections[i].file, file))
			return &p->sections[i];
	XGROW(p->sections, p->alloc, p->nr + 1);
	memset(&p->sections[p->nr], 0, sizeof(p->sections[0]));
	p->sections[p->nr].kind = xstrdup(kind);
	p->sections[p->nr].name = xstrdup(name);
	p->sections[p->nr].file = xstrdup(file);
	return &p->sections[p->nr++];
}

static void read_stream(struct aws_profiles *p, FILE *f, const char *path, int is_config)
{
	struct aws_section *cur = NULL;
	char *line = NULL;
	size_t cap = 0;
	int nested = 0;

	while (getline(&line, &cap, f) > 0) {
		char *s = trim(line), *eq;
		int indented = isspace((unsigned char)line[0]);

		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']'), *name;

			nested = 0;
			cur = NULL;
			if (!end)
				continue;
			*end = '\0';
			name = trim(s + 1);
			if (!is_config) {
				cur = section(p, "profile", name, path);
			} else if (!strcmp(name, "default")) {
				cur = section(p, "profile", "default", path);
			} else if (!strncmp(name, "profile ", 8)) {
				cur = section(p, "profile", trim(name + 8), path);
			} else if (!strncmp(name, "sso-session ", 12)) {
				cur = section(p, "sso-session", trim(name + 12), path);
			} else if (!strncmp(name, "services ", 9)) {
				cur = section(p, "services", trim(name + 9), path);
			}
			continue;
		}
		if (!cur)
			continue;
		if (indented && nested)
			continue; /* a sub-section's entry */
		eq = strchr(s, '=');
		if (!eq)
			continue;
		*eq = '\0';
		{
			char *k = trim(s), *v = trim(eq + 1);

			nested = !*v; /* "s3 =" opens a sub-section */
			if (!nested) {
				for (char *c = k; *c; c++)
					*c = (char)tolower((unsigned char)*c);
				kvlist_set(&cur->values, k, v);
			}
		}
	}
	free(line);
}

static int read_file(struct aws_profiles *p, const char *path, int is_config, struct error *err)
{
	FILE *f = fopen(path, "r");

	if (!f) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return error_set(err, EXIT_USAGE, "cannot read '%s': %s", path, strerror(errno));
	}
	read_stream(p, f, path, is_config);
	fclose(f);
	return 0;
}

int aws_profiles_parse(struct aws_profiles *p, const char *text, size_t len, const char *path, int is_config,
		       struct error *err)
{
	FILE *f = len ? fmemopen((void *)text, len, "r") : NULL;

	if (!len)
		return 0;
	if (!f)
		return error_set(err, EXIT_FAIL, "cannot read '%s': %s", path, strerror(errno));
	read_stream(p, f, path, is_config);
	fclose(f);
	return 0;
}

int aws_profiles_load(struct aws_profiles *p, struct error *err)
{
	const char *cfg = getenv("AWS_CONFIG_FILE"), *cred = getenv("AWS_SHARED_CREDENTIALS_FILE");

	memset(p, 0, sizeof(*p));
	p->config_path = cfg && *cfg ? expand(cfg) : home_path(".aws/config");
	p->credentials_path = cred && *cred ? expand(cred) : home_path(".aws/credentials");
	if (read_file(p, p->credentials_path, 0, err) || read_file(p, p->config_path, 1, err))
		return -1;
	return 0;
}

void aws_profiles_release(struct aws_profiles *p)
{
	for (size_t i = 0; i < p->nr; i++) {
		free(p->sections[i].kind);
		free(p->sections[i].name);
		free(p->sections[i].file);
		kvlist_clear(&p->sections[i].values);
	}
	free(p->sections);
	free(p->config_path);
	free(p->credentials_path);
	memset(p, 0, sizeof(*p));
}

int aws_profile_exists(const struct aws_profiles *p, const char *profile)
{
	for (size_t i = 0; i < p->nr; i++)
		if (!strcmp(p->sections[i].kind, "profile") && !strcmp(p->sections[i].name, profile))
			return 1;
	return 0;
}

static const char *lookup(const struct aws_profiles *p, const char *kind, const char *name, const char *file,
			  const char *key)
{
	for (size_t i = 0; i < p->nr; i++) {
		const struct aws_section *s = &p->sections[i];

		if (!strcmp(s->kind, kind) && !strcmp(s->name, name) && (!file || !strcmp(s->file, file))) {
			const char *v = kvlist_get(&s->values, key);
			if (v)
				return v;
		}
	}
	return NULL;
}

const char *aws_profile_get(const struct aws_profiles *p, const char *profile, const char *key, const char **file)
{
	const char *v = lookup(p, "profile", profile, p->credentials_path, key);

	if (v) {
		if (file)
			*file = p->credentials_path;
		return v;
	}
	v = lookup(p, "profile", profile, p->config_path, key);
	if (v && file)
		*file = p->config_path;
	return v;
}

const char *aws_sso_session_get(const struct aws_profiles *p, const char *session, const char *key)
{
	return lookup(p, "sso-session", session, p->config_path, key);
}
