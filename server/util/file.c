/* SPDX-License-Identifier: Apache-2.0
 *
 * file.c - whole-file reads with a cap; see file.h.
 */
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

int wh_file_read(const char *path, struct wh_buf *out, struct wh_err *err)
{
    char chunk[16384];
    int fd = STDIN_FILENO;
    int rc = WH_OK;

    if (strcmp(path, "-") != 0) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return wh_errf(err, WH_EIO, "cannot open %s: %s", path, strerror(errno));
    }
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = wh_errf(err, WH_EIO, "cannot read %s: %s", path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        if (wh_buf_add(out, chunk, (size_t)n) != WH_OK) {
            rc = wh_errf(err, WH_ETOOBIG, "%s is larger than %zu bytes", path, out->cap);
            break;
        }
    }
    if (fd != STDIN_FILENO)
        (void)close(fd);
    if (rc != WH_OK)
        wh_buf_cleanup(out);
    return rc;
}
