#ifndef BLAMBDA_LOCAL_ENV_H
#define BLAMBDA_LOCAL_ENV_H

#include "aws/client.h"
#include "core/strlist.h"

/*
 * What every function run here starts from: the region, the account in its
 * ARN, and the environment blambda passes on to it, the user's credentials
 * included (found by blambda's own chain, so a handler that calls AWS
 * works). Offline, or with no credentials, the function runs without them
 * under a placeholder account.
 */
#define LOCAL_PLACEHOLDER_ACCOUNT "000000000000"

struct local_env {
	char *region, *account;
	struct kvlist base;   /* the environment every function starts from; credentials wiped on release */
	int have_creds;
};

/*
 * Fill e from the client a: its region (us-east-1 when none is set), the
 * credentials its chain finds (none is no error), and the account STS names
 * for them, asked once with a 3 s limit and remembered in the cache under a
 * digest of the access key id. What it found goes to a's observer as trace.
 */
void local_env_init(struct local_env *e, struct aws *a);
/* Pass blambda's variable `name` on to the functions too, when it is set (--inherit-env) */
void local_env_inherit(struct local_env *e, const char *name);
void local_env_release(struct local_env *e);

#endif
