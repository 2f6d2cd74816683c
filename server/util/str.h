/* SPDX-License-Identifier: Apache-2.0
 *
 * str.h - string helpers that knows nothing about Kubernetes: bounded integer
 * parsing (after OpenBSD strtonum), truncation-checked copies, constant-time
 * comparison and comma-separated list lookup. All pure, all thread-safe.
 */
#ifndef WH_STR_H
#define WH_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses a whole decimal string (no sign, no spaces, no trailing bytes) into
 * *out when it lies in [min, max]. Returns WH_OK, WH_EPARSE (not a number) or
 * WH_ETOOBIG (out of range); *out is untouched on failure. */
int wh_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Copies src into dst of size dstsize, always NUL-terminating (dstsize > 0).
 * Returns strlen(src); a result >= dstsize means the copy was truncated. */
size_t wh_strlcpy(char *dst, const char *src, size_t dstsize);

/* Compares two buffers in time that depends only on the lengths. */
bool wh_ct_equal(const void *a, size_t alen, const void *b, size_t blen);

/* True when name (of length len) is one of the entries of a comma-separated
 * list; entries are trimmed of spaces and tabs. */
bool wh_csv_contains(const char *list, const char *name, size_t len);

bool wh_str_has_prefix(const char *s, const char *prefix);

/* FNV-1a, 32 bits, of len bytes of s: for short stable suffixes (names a
 * pod carries), never for anything an attacker could exploit by colliding. */
uint32_t wh_fnv1a(const char *s, size_t len);

/* A hash of len bytes of s for in-memory indexes and filters, 8 bytes per
 * step (FNV-1a takes one): its values may differ between builds and
 * machines, so nothing that outlives the process may depend on them. Not
 * keyed: where a pod's author picks the strings, colliding ones must cost no
 * more than the list the index or filter stands in front of. */
uint32_t wh_hash(const char *s, size_t len);

#endif
