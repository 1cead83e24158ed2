#ifndef BLAMBDA_DEPLOY_TERRAFORM_H
#define BLAMBDA_DEPLOY_TERRAFORM_H

#include "config/config.h"
#include "core/buf.h"
#include "core/error.h"

/*
 * The project as a Terraform configuration (HCL): what `blambda deploy`
 * would make, declared instead of made. The runtime layer and, when there
 * is one, the deps layer (aws_lambda_layer_version, with blambda's
 * descriptions), for each function without function.role a role (tagged as
 * deploy tags it) with AWSLambdaBasicExecutionRole attached, and each
 * function with the settings deploy would use, its code from the zips
 * `blambda build` made. Variables carry what differs per environment: a
 * prefix for every name, tags, and environment variables added to every
 * function. The same project gives the same bytes.
 */
struct terraform_input {
	const struct config *cfg;  /* the project */
	const struct config *fns;  /* each function, as config_for_function gives it */
	size_t nfns;
	const char *zip_dir;       /* where the zips are, relative to the .tf file ("../target") */
	const char *arch;
	const char *bb_version;
	int deps_layer;            /* the project has a deps layer */
};

/*
 * The Terraform name of a function's resources: letters, digits, '_' and
 * '-', not starting with a digit ("fn_" goes before one that does). Two
 * functions may get the same one: the caller checks.
 */
void terraform_resource_name(const char *function, struct buf *out);

/* Every function gets a Terraform name of its own; else -1 with err naming two that clash. */
int terraform_check_names(const struct config *fns, size_t n, struct error *err);

/* The configuration, appended to out. */
void terraform_generate(const struct terraform_input *in, struct buf *out);

/*
 * The configuration into path (atomically), unless it holds it already:
 * *written says which. 0, or -1 with err.
 */
int terraform_write(const struct terraform_input *in, const char *path, int *written, struct error *err);

#endif
