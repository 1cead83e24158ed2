#ifndef BLAMBDA_LOCAL_WATCH_H
#define BLAMBDA_LOCAL_WATCH_H

#include "core/buf.h"
#include "core/error.h"
#include "core/strlist.h"

/*
 * Watching a project for edits (inotify): every directory under the given
 * directories, new ones included, and the given files (watched through
 * their directory, so an editor that saves by renaming is seen too). After
 * a change and a short quiet spell (editors write in bursts) `changed` is
 * called once, from the watcher's own thread.
 */
struct local_watch;

struct local_watch *local_watch_start(const struct strlist *dirs, const struct strlist *files,
				      void (*changed)(void *ctx), void *ctx, struct error *err);
void local_watch_stop(struct local_watch *w);

#endif
