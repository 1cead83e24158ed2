#ifndef BLAMBDA_AWS_PROFILE_H
#define BLAMBDA_AWS_PROFILE_H

#include <stddef.h>

#include "core/error.h"
#include "core/strlist.h"

/*
 * The AWS shared configuration files, read as the AWS CLI reads them:
 * AWS_CONFIG_FILE (default ~/.aws/config) with [default], [profile NAME] and
 * [sso-session NAME] sections, and AWS_SHARED_CREDENTIALS_FILE (default
 * ~/.aws/credentials) with [NAME] sections. A key set in both files for the
 * same profile is taken from the credentials file. Nested sub-sections
 * (indented lines under `s3 =`) are skipped.
 */

struct aws_section {
	char *kind;  /* "profile" (both files), "sso-session", "services" */
	char *name;
	char *file;  /* where it was read */
	struct kvlist values;
};

struct aws_profiles {
	char *config_path, *credentials_path;
	struct aws_section *sections;
	size_t nr, alloc;
};

/* Read both files; missing files are fine. -1 with err for a file that cannot be read. */
int aws_profiles_load(struct aws_profiles *p, struct error *err);
void aws_profiles_release(struct aws_profiles *p);
/* Add the sections of one file's text (a config file when is_config, else credentials); `path` names it. */
int aws_profiles_parse(struct aws_profiles *p, const char *text, size_t len, const char *path, int is_config,
		       struct error *err);

/* Whether a profile of that name appears in either file. */
int aws_profile_exists(const struct aws_profiles *p, const char *profile);
/* A profile's value, credentials file first; *file (if given) names the file it came from. */
const char *aws_profile_get(const struct aws_profiles *p, const char *profile, const char *key, const char **file);
/* A value of a [sso-session NAME] section. */
const char *aws_sso_session_get(const struct aws_profiles *p, const char *session, const char *key);

/* "~/.aws/config" style path for messages: $HOME shown as ~. A static buffer, one of four used in turn. */
const char *aws_display_path(const char *path);

#endif
