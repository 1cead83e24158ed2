#ifndef BLAMBDA_DEPLOY_INTERNAL_H
#define BLAMBDA_DEPLOY_INTERNAL_H

/* What the files of deploy/ share: deploy.c (steps, regions), plan.c, execute.c and diff.c. */
#include "aws/lambda.h"
#include "deploy/deploy.h"

/* Add a reason to a step ("memory 512 -> 1024"). */
void deploy_reason(struct deploy_step *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record what failed ("create role 'x'"); the error itself is already in p->err. Returns -1. */
int deploy_failed(struct deploy_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * A function or role of blambda's name that blambda did not make (tags
 * without its mark): never taken over. The error (code "NotOurs") and -1.
 */
int deploy_not_ours(struct deploy_plan *p, int is_role, const char *name, const char *arn, const struct kvlist *tags);
/* Replace *slot with a copy of v (NULL frees it). */
void deploy_set_str(char **slot, const char *v);
/* A new step; pointers to earlier steps do not survive it (the array grows): keep indexes. */
struct deploy_step *deploy_add_step(struct deploy_plan *p, enum deploy_kind kind, const char *name);
/* Move *s (left empty) to the end of the plan's steps; pointers to earlier steps do not survive it. */
struct deploy_step *deploy_append_step(struct deploy_plan *p, struct deploy_step *s);
/* Free what a step holds. */
void deploy_step_release(struct deploy_step *s);
/* The first step of a kind, or NULL. */
struct deploy_step *deploy_find_step(struct deploy_plan *p, enum deploy_kind kind);
/* The function step of function fn (an index into deploy_opts' functions), or NULL. */
const struct deploy_step *deploy_function_step(const struct deploy_plan *p, size_t fn);
/*
 * The settings function step fs should have, as blambda.yml says, with the
 * layers and role as far as the plan knows them ("" for a layer about to be
 * published); layers and tags hold what s points into (caller clears them).
 */
void deploy_desired_settings(const struct deploy_opts *o, struct deploy_plan *p, size_t fs,
			     struct lambda_settings *s, struct strlist *layers, struct kvlist *tags);
/*
 * work(a, ctx, i) for each i below n, up to `jobs` at once, each thread on
 * a clone of a (a connection of its own); with one item or one job, or no
 * thread to be had, one after another on a itself. While threads work, the
 * calling thread calls tick (when not NULL) with how many are finished,
 * four times a second and once when all are.
 */
void deploy_pool(struct aws *a, size_t n, size_t jobs, void (*work)(struct aws *a, void *ctx, size_t i), void *ctx,
		 void (*tick)(void *ctx, size_t finished, size_t n));
/*
 * function.events' queues and streams as ARNs (a queue named by its name is
 * looked up), one entry for each event ("" for a schedule), and the record
 * of them for the function's tag blambda:events. -1 with the plan's failure.
 */
int deploy_resolve_sources(struct aws *a, struct deploy_plan *p, const struct config *f, struct strlist *sources,
			   struct buf *record);
/*
 * The steps of function fn's triggers (after its function step): each
 * schedule and mapping function.events lists, and blambda's that it no
 * longer does. sources as deploy_resolve_sources gave them. -1 with the
 * plan's failure (a rule of blambda's name it did not make: NotOurs).
 */
int deploy_plan_triggers(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, size_t fn,
			 const struct strlist *sources);
/* A schedule step carried out: the rule, Lambda's permission for it, its target (function_arn). */
int deploy_exec_schedule(struct aws *a, struct deploy_plan *p, const char *function, const char *function_arn,
			 struct deploy_step *s);
/* A mapping step carried out, and waited until Lambda has it ready. */
int deploy_exec_mapping(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, const char *function,
			struct deploy_step *s);
/* What a function has beside its configuration, as read before it is planned */
struct deploy_beside {
	int async_exists, async_recorded;   /* an event invoke config; blambda's tag says blambda set it */
	struct lambda_invoke_config async;
	int group_exists;                   /* its log group */
	long group_retention;               /* days, 0: forever */
	long retention_recorded;            /* the days blambda's tag says blambda set, 0: none */
};
/* The reads (only what function fn's keys or blambda's records make worth reading); -1 with the plan's failure */
int deploy_read_beside(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, size_t fn,
		       const struct lambda_function *have, struct deploy_beside *b);
void deploy_beside_release(struct deploy_beside *b);
/*
 * blambda's records on the function (its tags blambda:events, :async,
 * :log-retention): `early` as its lane goes (what may still be there stays
 * recorded), `after` where they differ once the lane is done ("" for a
 * record that goes). events: the record of the sources to be mapped.
 */
void deploy_beside_records(const struct deploy_opts *o, size_t fn, const struct lambda_function *have,
			   const struct deploy_beside *b, const char *events, struct kvlist *early, struct kvlist *after);
/* http-api.cors as API Gateway takes it into c (release it); 0 when no key is set */
int deploy_wanted_cors(const struct config *cfg, struct apigw_cors *c);
/* The step of the project's HTTP API, when a function to deploy has routes; -1 with the plan's failure */
int deploy_plan_http_api(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p);
/*
 * The steps of function fn's routes: on the project's API, and off one
 * blambda routed it to that blambda.yml no longer names (its record). -1
 * with the plan's failure (a route of the function's that goes elsewhere:
 * NotOurs).
 */
int deploy_plan_routes(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, size_t fn);
/* The function's record of its API (blambda:http-api), as deploy_beside_records gives the others */
void deploy_routes_records(const struct deploy_opts *o, size_t fn, const struct lambda_function *have,
			   struct kvlist *early, struct kvlist *after);
/* The steps of function fn's s3 triggers: one per bucket it has entries in, or had; -1 with the plan's failure */
int deploy_plan_s3(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, size_t fn);
/* The function's record of its buckets (blambda:s3) */
void deploy_s3_records(const struct deploy_opts *o, size_t fn, const struct lambda_function *have, struct kvlist *early,
		       struct kvlist *after);
/* An s3 step carried out for function step f: the permission, then the bucket's set written */
int deploy_exec_s3(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, const struct deploy_step *f,
		   struct deploy_step *s);
int deploy_exec_http_api(struct aws *a, struct deploy_plan *p, struct deploy_step *s);
/* A routes step carried out for function step f (made by now: its ARN known) */
int deploy_exec_routes(struct aws *a, struct deploy_plan *p, const struct deploy_step *f, struct deploy_step *s);
/* The step of function fn's function.async (when it sets it, or blambda set it before) */
int deploy_plan_async(const struct deploy_opts *o, struct deploy_plan *p, size_t fn, const struct deploy_beside *b);
int deploy_exec_async(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, struct deploy_step *s);
/* The step of function fn's log group retention (when set, or set by blambda before); the retention in s->version */
int deploy_plan_log_group(const struct deploy_opts *o, struct deploy_plan *p, size_t fn, const struct deploy_beside *b);
int deploy_exec_log_group(struct aws *a, struct deploy_plan *p, struct deploy_step *s);
/* The URL function.url.* asks for: a view into f's values, not to be released. */
void deploy_wanted_url(const struct config *f, struct lambda_url *u);


/*
 * Who uses which role, in every region (roles.c): "REGION ROLE-ARN FUNCTION
 * VERSION" lines, and the regions that could not be asked.
 */
#define DEPLOY_MAX_REGIONS 100
struct role_users {
	int scanned;
	struct strlist uses;    /* "REGION ROLE-ARN FUNCTION VERSION" */
	struct strlist unknown; /* "REGION CODE": regions that could not be asked */
};
#define ROLE_USERS_INIT { 0, STRLIST_INIT, STRLIST_INIT }
/* Ask the regions of `run`, then every other region of the account, which function uses which role. */
void deploy_scan_role_users(struct aws *a, const struct strlist *run, struct role_users *ru);
void deploy_role_users_release(struct role_users *ru);
/*
 * Why the role `arn` is used by more than the functions of `going` ("REGION
 * FUNCTION"): "function 'x' in eu-west-1 uses it", or a region that could not
 * be asked (*unsure); NULL when nothing else uses it. Free the answer.
 */
char *deploy_role_user(const struct role_users *ru, const char *arn, const struct strlist *going, int *unsure);
/* deploy_role_user(), the regions asked the first time it is needed */
char *deploy_role_kept_by(struct aws *a, const struct strlist *regions, struct role_users *ru, const char *arn,
			  const struct strlist *going, int *unsure);

#endif
