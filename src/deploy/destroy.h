#ifndef BLAMBDA_DEPLOY_DESTROY_H
#define BLAMBDA_DEPLOY_DESTROY_H

#include "aws/aws.h"
#include "config/config.h"
#include "core/strlist.h"

/*
 * Taking a project down: a plan made from reads only (which functions, roles
 * and layer versions exist, and which of them blambda made), then its
 * execution. A role goes only when it carries blambda's tag
 * (blambda:managed-by=blambda), a layer version only when its description is
 * one blambda writes; everything else is listed as staying, with the reason.
 * What is gone already is no error. Nothing here prints.
 */

enum destroy_kind {
	DESTROY_FUNCTION,
	DESTROY_ROLE,
	DESTROY_LAYER_VERSION,
	DESTROY_SCHEDULE,
	DESTROY_MAPPING,
	DESTROY_LOG_GROUP,
	DESTROY_ROUTES,        /* a function's routes and integration on the project's HTTP API */
	DESTROY_HTTP_API,      /* the API, when no function stays on it */
	DESTROY_S3,            /* a function's entries in a bucket's notification set (arn: the function's) */
};
enum destroy_action { DESTROY_DELETE, DESTROY_KEEP, DESTROY_GONE };

struct destroy_step {
	enum destroy_kind kind;
	enum destroy_action action;
	char *name;            /* the function, role, layer or rule; a mapping's queue or stream */
	char *uuid;            /* a mapping's; s3: the function's name */
	char *api_id;          /* routes, http api: the API's */
	char *url;             /* http api: its URL */
	struct strlist ids;    /* routes: the function's integrations on the API */
	long version;          /* a layer version's number */
	char *arn;
	const char *reason;    /* why it stays (DESTROY_KEEP), or NULL */
	char *reason_owned;    /* the reason when it was made for this step (freed with the plan) */
	int unsure;            /* a role kept because a region could not be asked whether it is used there */
	struct strlist policies, inline_policies; /* a role's, detached and deleted first; routes: the route ids
						     (policies); http api: what calls each integration and what each
						     route's target calls, a function's ARN or "" (policies,
						     inline_policies), to be settled once all is planned */
	size_t stages;         /* http api: its stages other than $default */
	int done;
};

struct destroy_plan {
	const char *region;    /* where it runs (the client's; as long as it lives) */
	struct destroy_step *steps;
	size_t nr, alloc;
	const struct destroy_step *failed; /* the step that failed, with err */
	struct error err;
};

/*
 * A function's triggers go before it: the rules of its schedules that carry
 * blambda's tags for it, and the event source mappings its tag
 * blambda:events names; others' stay. Its log group goes with it when
 * blambda made it (function.log-retention; tagged blambda:managed-by).
 *
 * The plans for the functions fns[0..n) (each as config_for_function gives
 * it) in every region, plans[k] with the client awss[k], and with layers the
 * versions of cfg's runtime and deps layers there. A role is global: its
 * step comes once, in the last region's plan, and it goes only when no
 * function uses it in any region but those the plans delete. Returns as
 * aws_call() does; a failing read stops there, in that plan's err and failed.
 */
int destroy_plan_make(struct aws *awss, size_t nregions, const struct config *cfg, const struct config *fns, size_t n,
		      int layers, struct destroy_plan *plans);
/* Steps that delete something. */
size_t destroy_plan_count(const struct destroy_plan *p);
/*
 * Delete what the plans say, region after region, each in order (functions,
 * roles, layer versions) up to its first failure; the roles only when every
 * region before went well (a function left there may use them). The number
 * of regions that failed.
 */
size_t destroy_execute(struct aws *awss, size_t nregions, struct destroy_plan *plans);
void destroy_plan_release(struct destroy_plan *p);

const char *destroy_kind_name(enum destroy_kind k);

#endif
