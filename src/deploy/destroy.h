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

enum destroy_kind { DESTROY_FUNCTION, DESTROY_ROLE, DESTROY_LAYER_VERSION };
enum destroy_action { DESTROY_DELETE, DESTROY_KEEP, DESTROY_GONE };

struct destroy_step {
	enum destroy_kind kind;
	enum destroy_action action;
	char *name;            /* the function, role or layer */
	long version;          /* a layer version's number */
	char *arn;
	const char *reason;    /* why it stays (DESTROY_KEEP), or NULL */
	struct strlist policies, inline_policies; /* a role's, detached and deleted first */
	int done;
};

struct destroy_plan {
	struct destroy_step *steps;
	size_t nr, alloc;
	const struct destroy_step *failed; /* the step that failed, with err */
	struct error err;
};

/*
 * The plan for the functions fns[0..n) (each as config_for_function gives
 * it) and, with layers, the versions of cfg's runtime and deps layers.
 * Returns as aws_call() does (the failing read in p->err).
 */
int destroy_plan_make(struct aws *a, const struct config *cfg, const struct config *fns, size_t n, int layers,
		      struct destroy_plan *p);
/* Steps that delete something. */
size_t destroy_plan_count(const struct destroy_plan *p);
/* Delete what the plan says, in order (functions, roles, layer versions); stops at the first failure. */
int destroy_execute(struct aws *a, struct destroy_plan *p);
void destroy_plan_release(struct destroy_plan *p);

const char *destroy_kind_name(enum destroy_kind k);

#endif
