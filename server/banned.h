/* SPDX-License-Identifier: Apache-2.0
 *
 * banned.h - functions this project never calls. Include it LAST in every .c
 * file, after all system and library headers, so that their own use of these
 * names is not affected. Replacements: wh_strlcpy, wh_buf_printf, snprintf,
 * wh_parse_u64.
 */
#ifndef WH_BANNED_H
#define WH_BANNED_H

#pragma GCC poison strcpy strcat sprintf vsprintf gets atoi atol atoll strtok

#endif
