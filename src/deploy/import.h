#ifndef BLAMBDA_DEPLOY_IMPORT_H
#define BLAMBDA_DEPLOY_IMPORT_H

#include "aws/aws.h"
#include "config/config.h"
#include "core/strlist.h"

/*
 * Adopting a function blambda did not make: its settings written into
 * blambda.yml (unless the project names it already: then blambda.yml's
 * stay), what the next deploy would change, and blambda's tag put on it
 * once the caller has a yes. The plan reads only; nothing here prints.
 */

struct import_plan {
	char *name, *arn;
	const char *region;
	int in_project;           /* blambda.yml names it already: nothing is written there */
	int ours;                 /* it carries blambda's tag already */
	char *other_tag;          /* a blambda:managed-by tag that names something else, or NULL */
	char *entry;              /* the lines added under functions: (NULL when none) */
	char *entry_shown;        /* the same as it may be printed: the environment's values left out */
	const char *moved;        /* the single function.name that becomes an entry of its own too, or NULL */
	char *original;           /* blambda.yml as the plan read it (the write checks it is still so) */
	size_t original_len;
	struct buf text;          /* blambda.yml as it will be, when entry */
	struct strlist changes;   /* what the next deploy changes there ("memory 512 -> 1024") */
	struct strlist notes;     /* what could not be carried over, and why */
	int written, tagged;      /* what import_apply did */
	struct error err;
};

/*
 * The plan for function `name` in the client's region, for the project cfg
 * read from `text` (blambda.yml's bytes, len of them). 0, or -1 with p->err
 * (the function does not exist, is a container image, or blambda.yml's form
 * leaves no place to add it).
 */
int import_plan_make(struct aws *a, const struct config *cfg, const char *text, size_t len, const char *name,
		     struct import_plan *p);
/* 1 when applying the plan writes something (blambda.yml or the tag). */
int import_plan_has_work(const struct import_plan *p);
/*
 * Write blambda.yml (cfg->path, atomically; through a symbolic link to the
 * file it names; only when it still holds what the plan read) and then tag
 * the function. 0, or -1 with p->err.
 */
int import_apply(struct aws *a, const struct config *cfg, struct import_plan *p);
void import_plan_release(struct import_plan *p);

#endif
