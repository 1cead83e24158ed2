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
/*
 * The real account of e's credentials, for what must carry it (records sent
 * to AWS): where local_env_init fell back to the placeholder, STS is asked
 * again, with the client's usual retries. 0, or -1 with err (no
 * credentials, or STS's refusal).
 */
int local_env_account(struct local_env *e, struct aws *a, struct error *err);
/* Pass blambda's variable `name` on to the functions too, when it is set (--inherit-env) */
void local_env_inherit(struct local_env *e, const char *name);
void local_env_release(struct local_env *e);

#endif
