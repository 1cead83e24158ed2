#ifndef BLAMBDA_CORE_REGION_H
#define BLAMBDA_CORE_REGION_H

#include "core/buf.h"

/*
 * AWS region names, checked the same way wherever one comes from (a flag,
 * blambda.yml, BLAMBDA_REGION, AWS_REGION, AWS_DEFAULT_REGION, a profile)
 * before it goes into an endpoint's host name or an ARN: lower-case letters
 * and digits in parts joined by single '-', starting with a letter and
 * ending with a digit ("eu-west-1", "us-gov-west-1", "cn-north-1"), at most
 * 32 characters. 0, or -1 with the reason in why ("region must look like
 * 'eu-west-1', got 'x'").
 */
int region_check(const char *name, struct buf *why);

#endif
