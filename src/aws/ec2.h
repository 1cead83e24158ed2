#ifndef BLAMBDA_AWS_EC2_H
#define BLAMBDA_AWS_EC2_H

#include "aws/client.h"
#include "core/strlist.h"

/* EC2, for the one thing blambda asks it: which regions the account has. Nothing here prints. */

/*
 * DescribeRegions (asked in `region`, NULL for the one in use): the names
 * of the regions enabled for the account, appended to out. Returns as
 * aws_call() does (AccessDenied, UnauthorizedOperation: not allowed).
 */
int ec2_enabled_regions(struct aws *a, const char *region, struct strlist *out, struct error *err);

#endif
