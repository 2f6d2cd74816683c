/* SPDX-License-Identifier: Apache-2.0
 *
 * b64.h - standard, padded, unwrapped base64 (RFC 4648 section 4), the form
 * kube-apiserver expects in AdmissionResponse.patch.
 */
#ifndef WH_B64_H
#define WH_B64_H

#include <stddef.h>

#include "util/buf.h"

/* Appends the base64 encoding of len bytes of p to out. Returns WH_OK, or
 * WH_ETOOBIG when the encoded size overflows or passes out's cap. */
int wh_b64_encode(const void *p, size_t len, struct wh_buf *out);

/* Decodes standard padded base64 into out (used by tests and tools). Returns
 * WH_OK, WH_EPARSE on bad input, or WH_ETOOBIG past out's cap. */
int wh_b64_decode(const char *s, size_t len, struct wh_buf *out);

#endif
