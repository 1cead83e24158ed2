#ifndef BLAMBDA_PACKAGE_LIMITS_H
#define BLAMBDA_PACKAGE_LIMITS_H

#include <stddef.h>

#include "package/artifact.h"

/* Lambda's limits on what can be uploaded. */
#define LAMBDA_DIRECT_UPLOAD_MAX (50ull << 20)  /* a zip sent in the request itself */
#define LAMBDA_UNZIPPED_MAX (250ull << 20)      /* function and layers, unzipped */

/*
 * Check the built zips against Lambda's limits before anything is uploaded:
 * a zip over 50 MB needs an S3 bucket (aws.s3-bucket), and everything
 * together may unzip to 250 MB at most. -1 with err naming the biggest entries.
 */
int limits_check(const struct artifact *arts, size_t n, int have_bucket, struct error *err);

#endif
