#ifndef BLAMBDA_AWS_CREDENTIALS_H
#define BLAMBDA_AWS_CREDENTIALS_H

#include "aws/client.h"

/*
 * The credentials chain, in the AWS CLI's order (see credentials.c). It sits
 * above the client and STS (AssumeRole).
 */

/*
 * Resolve the chain once; later calls return the same credentials. -1 with
 * err saying which source failed and why (EXIT_AWS; EXIT_USAGE for a
 * profile that is written wrong), or that none has credentials.
 */
int aws_get_credentials(struct aws *a, const struct aws_credentials **out, struct error *err);
const char *aws_cred_source_name(enum aws_cred_source s);

#endif
