/*
 * Who uses which role: every function version of every region where one may
 * be, asked once per run, however many roles it checks. A role is global
 * (IAM), while functions are regional: destroy keeps a role a function
 * elsewhere uses, and deploy changes no policy of one a function elsewhere
 * runs with.
 */
#include <stdlib.h>
#include <string.h>

#include "aws/ec2.h"
#include "aws/lambda.h"
#include "core/xalloc.h"
#include "deploy/internal.h"

/*
 * The regions to ask: those of the run, then those EC2 says the account has
 * turned on, or when EC2 may not be asked every region of the partition
 * blambda knows (*exact 0).
 */
static void regions_to_ask(struct aws *a, const struct strlist *run, struct strlist *out, int *exact)
{
	struct strlist enabled = STRLIST_INIT;
	struct error err = ERROR_INIT;
	const char *const *known;

	for (size_t i = 0; i < run->nr; i++)
		strlist_add(out, run->items[i]);
	*exact = !ec2_enabled_regions(a, run->items[0], &enabled, &err);
	error_release(&err);
	if (*exact) {
		for (size_t i = 0; i < enabled.nr; i++) /* the credentials' partition only: roles are not shared across */
			if (!strlist_has(out, enabled.items[i]) &&
			    !strcmp(aws_partition(enabled.items[i]), aws_partition(run->items[0])))
				strlist_add(out, enabled.items[i]);
	} else {
		for (known = aws_partition_regions(aws_partition(run->items[0])); *known; known++)
			if (!strlist_has(out, *known))
				strlist_add(out, *known);
	}
	strlist_clear(&enabled);
}

/*
 * An answer that says the credentials are not taken in the region: an
 * opt-in region the account has not turned on, when EC2 could not say
 * which are on. Anywhere else it leaves the question open.
 */
static int region_closed(const char *region, const struct error *e, int exact)
{
	return !exact && aws_region_opt_in(region) &&
	       (error_is(e, "UnrecognizedClientException") || error_is(e, "InvalidClientTokenId") ||
		error_is(e, "AuthFailure") || error_is(e, "OptInRequired"));
}

void deploy_scan_role_users(struct aws *a, const struct strlist *run, struct role_users *ru)
{
	struct strlist scan = STRLIST_INIT, lines = STRLIST_INIT;
	struct error err = ERROR_INIT;
	int exact;

	ru->scanned = 1;
	regions_to_ask(a, run, &scan, &exact);
	/* AWS has some forty regions: a list far longer is not to be believed, nor asked through */
	if (scan.nr > DEPLOY_MAX_REGIONS)
		strlist_add_owned(&ru->unknown, buf_fmt("%s more-than-%d-regions", scan.items[DEPLOY_MAX_REGIONS],
							DEPLOY_MAX_REGIONS));
	for (size_t i = 0; i < scan.nr && i < DEPLOY_MAX_REGIONS; i++) {
		strlist_clear(&lines);
		if (lambda_roles_in_use(a, scan.items[i], &lines, &err)) {
			if (!region_closed(scan.items[i], &err, exact))
				strlist_add_owned(&ru->unknown, buf_fmt("%s %s", scan.items[i], err.code ? err.code : "no answer"));
			error_release(&err);
			continue;
		}
		for (size_t k = 0; k < lines.nr; k++)
			strlist_add_owned(&ru->uses, buf_fmt("%s %s", scan.items[i], lines.items[k]));
	}
	strlist_clear(&scan);
	strlist_clear(&lines);
}

void deploy_role_users_release(struct role_users *ru)
{
	strlist_clear(&ru->uses);
	strlist_clear(&ru->unknown);
}

/*
 * A role is global: a function in any region may use it, one of this
 * project's or not, and so may a version it published. Why it stays (who
 * uses it, or a region that could not be asked), or NULL when nothing but
 * the functions of `going` ("REGION FUNCTION") does.
 */
char *deploy_role_user(const struct role_users *ru, const char *arn, const struct strlist *going, int *unsure)
{
	size_t n = arn ? strlen(arn) : 0;

	*unsure = 0;
	for (size_t i = 0; n && i < ru->uses.nr; i++) {
		const char *line = ru->uses.items[i], *role = strchr(line, ' ') + 1, *fn, *version;
		char *pair, *why = NULL;

		if (strncmp(role, arn, n) || role[n] != ' ')
			continue;
		fn = role + n + 1;
		version = strchr(fn, ' ');
		pair = buf_fmt("%.*s %.*s", (int)(role - 1 - line), line, (int)(version - fn), fn);
		if (!strlist_has(going, pair))
			why = strcmp(version + 1, "$LATEST")
				      ? buf_fmt("version %s of function '%.*s' in %.*s uses it", version + 1, (int)(version - fn),
						fn, (int)(role - 1 - line), line)
				      : buf_fmt("function '%.*s' in %.*s uses it", (int)(version - fn), fn, (int)(role - 1 - line),
						line);
		free(pair);
		if (why)
			return why;
	}
	if (n && ru->unknown.nr) {
		const char *u = ru->unknown.items[0], *sp = strchr(u, ' ');

		*unsure = 1;
		return buf_fmt("whether a function in %.*s uses it could not be told (%s)", (int)(sp - u), u, sp + 1);
	}
	return NULL;
}

/* role_user(), the users asked the first time it is needed */
char *deploy_role_kept_by(struct aws *a, const struct strlist *regions, struct role_users *ru, const char *arn,
			  const struct strlist *going, int *unsure)
{
	if (!ru->scanned)
		deploy_scan_role_users(a, regions, ru);
	return deploy_role_user(ru, arn, going, unsure);
}

