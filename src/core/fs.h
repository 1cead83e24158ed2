#ifndef BLAMBDA_CORE_FS_H
#define BLAMBDA_CORE_FS_H

#include <stdio.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/error.h"

/* blambda's cache directory: BLAMBDA_CACHE_DIR, else $XDG_CACHE_HOME/blambda, else ~/.cache/blambda. */
void fs_cache_dir(struct buf *out);
/* Whether an executable `prog` is in a directory of $PATH. */
int fs_on_path(const char *prog);
/* The path of that executable (caller frees), or NULL. */
char *fs_find_program(const char *prog);

/* mkdir -p with mode for the directories it creates; -1 with err filled. */
int fs_mkdirs(const char *path, mode_t mode, struct error *err);
/* Read a whole file into out (appending); -1 with errno set. `cap` bounds the size (0: none). */
int fs_read_file(const char *path, struct buf *out, size_t cap);

/*
 * Write a file so that readers see the old contents or the new, never a part:
 * the data goes to a temporary file in the same directory, is flushed to disk,
 * and is renamed over `path`. -1 with err filled.
 */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, struct error *err);

/*
 * The same in steps, for data written as it is produced: fs_temp_open()
 * creates "path.tmp-XXXXXX" (its name in tmp_path) and opens it; then
 * fs_temp_commit() flushes, syncs and renames it over path, or
 * fs_temp_abort() removes it. Both close the stream.
 */
FILE *fs_temp_open(const char *path, struct buf *tmp_path, mode_t mode, struct error *err);
int fs_temp_commit(FILE *f, const char *tmp_path, const char *path, struct error *err);
void fs_temp_abort(FILE *f, const char *tmp_path);

/*
 * Hold the lock file `path` (made, with its directory, when missing) for as
 * long as the process runs or until fs_unlock(): an exclusive flock(2),
 * which the kernel lets go when the process ends, however it ends. The
 * holder's pid is written into it. Returns the descriptor; -1 with err when
 * another process holds it (err->code "Locked", *holder its pid when it
 * could be read) or it cannot be made.
 */
int fs_lock(const char *path, long *holder, struct error *err);
void fs_unlock(int fd);

/*
 * Remove path and, when it is a directory, everything under it, without
 * following symbolic links (a link is removed, never what it points to). A
 * path that does not exist is fine. -1 with errno set and the path that
 * could not be removed in *failed (caller frees) when given.
 */
int fs_remove_tree(const char *path, char **failed);

/*
 * Copy what the directory src holds into the directory dst: directories,
 * regular files (without their write bits when readonly), symbolic links as
 * they are; nothing else, and never dst itself when it lies inside src.
 * 0, or -1 with err.
 */
int fs_copy_tree(const char *src, const char *dst, int readonly, struct error *err);

/*
 * Temporary files to remove if blambda is interrupted (SIGINT, SIGTERM,
 * SIGHUP) before they are renamed into place, so an interrupted run leaves
 * nothing half-written behind. fs_temp_open registers its files itself.
 */
void fs_temp_register(const char *path);
/* The same for path and every "path.*" beside it (libzip writes "path.XXXXXX" while it closes). */
void fs_temp_register_family(const char *path);
/* The same for a directory and everything in it (a project or a layer being staged). */
void fs_temp_register_tree(const char *path);
void fs_temp_unregister(const char *path);
/* A child process working in a registered tree: stopped (and waited for) before the tree goes. 0: none. */
void fs_temp_child(pid_t pid);

#endif
