/* SPDX-License-Identifier: Apache-2.0
 *
 * cli_run.h - a subcommand's main() run in-process for its tests
 * (test_certs.c, test_token.c): a fresh mkdtemp directory per test, argv
 * built from a NULL-terminated list, stdin from a file when given, stdout
 * and stderr captured into files, and helpers to read them back and echo
 * them when a check fails. Header-only so that each test binary still
 * stands alone; the includer provides check.h.
 *
 * Ownership: cli_slurp returns text the caller frees.
 */
#ifndef WH_TEST_CLI_RUN_H
#define WH_TEST_CLI_RUN_H

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/mem.h"

#define CLI_FILE_MAX (1 << 22) /* the cap of every file read back here */
#define CLI_ARGS_MAX 32

typedef int cli_main_fn(int argc, char **argv);

/* A fresh directory $TMPDIR/<prefix>.XXXXXX (or under /tmp) into dir. */
static inline void cli_mkdtemp(char *dir, size_t size, const char *prefix)
{
    const char *tmp = getenv("TMPDIR");
    int n = snprintf(dir, size, "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);

    CHECK(n > 0 && (size_t)n < size);
    CHECK(mkdtemp(dir) != NULL);
}

/* Removes path and everything below it (symbolic links are not followed). */
static inline void cli_rm_tree(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *e;

    if (lstat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        (void)unlink(path);
        return;
    }
    d = opendir(path);
    while (d != NULL && (e = readdir(d)) != NULL) {
        char sub[PATH_MAX];
        size_t pl = strlen(path), nl = strlen(e->d_name);

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            pl + 1 + nl >= sizeof(sub))
            continue;
        memcpy(sub, path, pl); /* path/name, without printf's truncation warnings */
        sub[pl] = '/';
        memcpy(sub + pl + 1, e->d_name, nl + 1);
        cli_rm_tree(sub);
    }
    if (d != NULL)
        (void)closedir(d);
    (void)rmdir(path);
}

/* The contents of path (NULL when unreadable, said on stderr). */
static inline char *cli_slurp(const char *path, size_t *lenp)
{
    struct wh_buf b;
    struct wh_err err;

    wh_buf_init(&b, CLI_FILE_MAX);
    if (wh_file_read(path, &b, &err) != WH_OK) {
        (void)fprintf(stderr, "  %s\n", err.msg);
        wh_buf_cleanup(&b);
        return NULL;
    }
    return wh_buf_take(&b, lenp);
}

static inline void cli_echo(const char *label, const char *path)
{
    char *s = cli_slurp(path, NULL);

    (void)fprintf(stderr, "  --- %s ---\n%s", label, s ? s : "(unreadable)\n");
    free(s);
}

/* True when the file at path contains needle. */
static inline int cli_has(const char *path, const char *needle)
{
    char *s = cli_slurp(path, NULL);
    int found = s != NULL && strstr(s, needle) != NULL;

    free(s);
    return found;
}

/* Points fd at path opened with flags (or back at saved when path is NULL). */
static inline void cli_redirect(int fd, const char *path, int flags, int saved)
{
    int to = path ? open(path, flags | O_CLOEXEC, 0600) : saved;

    CHECK(to >= 0);
    CHECK(dup2(to, fd) == fd);
    if (path)
        (void)close(to);
}

/* Runs fn as `name ARGS...` (ap: the arguments, NULL-terminated), stdin
 * from in when not NULL, stdout and stderr into the files out and err.
 * Returns fn's exit code. */
static inline int cli_run(cli_main_fn *fn, const char *name, const char *in, const char *out,
                          const char *err, va_list ap)
{
    char *argv[CLI_ARGS_MAX + 1];
    int argc = 0, rc, fd_in, fd_out, fd_err;
    const char *a;

    argv[argc++] = wh_xstrdup(name);
    while ((a = va_arg(ap, const char *)) != NULL && argc < CLI_ARGS_MAX)
        argv[argc++] = wh_xstrdup(a);
    argv[argc] = NULL;
    (void)fflush(stdout);
    (void)fflush(stderr);
    fd_in = dup(STDIN_FILENO);
    fd_out = dup(STDOUT_FILENO);
    fd_err = dup(STDERR_FILENO);
    if (in != NULL)
        cli_redirect(STDIN_FILENO, in, O_RDONLY, -1);
    cli_redirect(STDOUT_FILENO, out, O_WRONLY | O_CREAT | O_TRUNC, -1);
    cli_redirect(STDERR_FILENO, err, O_WRONLY | O_CREAT | O_TRUNC, -1);
    rc = fn(argc, argv);
    (void)fflush(stdout);
    (void)fflush(stderr);
    cli_redirect(STDIN_FILENO, NULL, 0, fd_in);
    cli_redirect(STDOUT_FILENO, NULL, 0, fd_out);
    cli_redirect(STDERR_FILENO, NULL, 0, fd_err);
    (void)close(fd_in);
    (void)close(fd_out);
    (void)close(fd_err);
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    return rc;
}

/* run(f, ARGS...) against want, with the captured f->out and f->err echoed
 * when it differs (the includer defines run). */
#define CHECK_RUN(f, want, ...)                       \
    do {                                              \
        int r_ = run((f), __VA_ARGS__, (char *)NULL); \
        if (r_ != (want)) {                           \
            cli_echo("stdout", (f)->out);             \
            cli_echo("stderr", (f)->err);             \
        }                                             \
        CHECK_EQ(r_, want);                           \
    } while (0)

#endif
