/* SPDX-License-Identifier: Apache-2.0
 *
 * file.h - read a whole file (or stdin, as "-") into a buffer, refusing files
 * larger than a cap before reading them all.
 */
#ifndef WH_FILE_H
#define WH_FILE_H

#include "util/buf.h"
#include "wh.h"

/* Appends the contents of path ("-" = stdin) to out, whose cap applies.
 * Returns WH_OK, WH_EIO (cannot open or read, errno kept in the message) or
 * WH_ETOOBIG; on failure out is emptied. */
int wh_file_read(const char *path, struct wh_buf *out, struct wh_err *err);

#endif
