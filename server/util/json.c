/* SPDX-License-Identifier: Apache-2.0
 *
 * json.c - typed cJSON access and the JSON writers; see json.h.
 */
#include "util/json.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json_scan.h"

#include "banned.h"

const char *wh_json_type_name(const cJSON *item)
{
    if (item == NULL)
        return "nothing";
    switch (item->type & 0xff) {
    case cJSON_False:
    case cJSON_True:
        return "boolean";
    case cJSON_NULL:
        return "null";
    case cJSON_Number:
        return "number";
    case cJSON_String:
        return "string";
    case cJSON_Array:
        return "array";
    case cJSON_Object:
        return "object";
    default:
        return "invalid";
    }
}

static const char *mask_name(int mask)
{
    switch (mask) {
    case WH_JSON_OBJECT:
        return "object";
    case WH_JSON_ARRAY:
        return "array";
    case WH_JSON_STRING:
        return "string";
    case WH_JSON_NUMBER:
        return "number";
    case WH_JSON_BOOL:
        return "boolean";
    default:
        return "another type";
    }
}

int wh_json_want(const cJSON *obj, const char *key, int mask, const char *path, const cJSON **out,
                 struct wh_err *err)
{
    const cJSON *item;

    *out = NULL;
    if (obj == NULL)
        return WH_OK;
    item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (item == NULL || cJSON_IsNull(item))
        return WH_OK;
    if ((item->type & mask) == 0)
        return wh_errf(err, WH_EPARSE, "%s.%s: expected %s, got %s", path, key, mask_name(mask),
                       wh_json_type_name(item));
    *out = item;
    return WH_OK;
}

const cJSON *wh_json_get(const cJSON *obj, const char *key, int mask)
{
    const cJSON *item;

    if (obj == NULL || !cJSON_IsObject(obj))
        return NULL;
    item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (item == NULL || (item->type & mask) == 0)
        return NULL;
    return item;
}

const char *wh_json_get_str(const cJSON *obj, const char *key)
{
    const cJSON *item = wh_json_get(obj, key, WH_JSON_STRING);

    return item ? item->valuestring : NULL;
}

int wh_json_escape(struct wh_buf *out, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
    int rc = wh_buf_addc(out, '"');

    while (rc == WH_OK) {
        const unsigned char *run = p;
        char esc[6] = { '\\', 'u', '0', '0', 0, 0 };
        size_t n = 2;

        p = wh_json_plain_end(p, end);
        rc = wh_buf_add(out, run, (size_t)(p - run));
        if (rc != WH_OK || p == end)
            break;
        switch (*p) {
        case '"':
        case '\\':
            esc[1] = (char)*p;
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[4] = hex[*p >> 4];
            esc[5] = hex[*p & 15];
            n = 6;
            break;
        }
        rc = wh_buf_add(out, esc, n);
        p++;
    }
    if (rc == WH_OK)
        rc = wh_buf_addc(out, '"');
    return rc;
}

/* Numbers as cJSON prints them: the shorter of %.15g and %.17g that reads
 * back as the same double (so -0 stays -0). */
static int print_number(struct wh_buf *out, const cJSON *item)
{
    double d = item->valuedouble, back, a, b, max;

    if (d != d || d - d != 0) /* NaN or an infinity */
        return wh_buf_add(out, "null", 4);
    /* A whole number below 10^15 (not -0): %.15g prints its digits, and
     * they read back exactly; most numbers in a patch are such. */
    if (d > -1e15 && d < 1e15 && d == (double)(long long)d && (d != 0 || !signbit(d))) {
        char digits[24];
        unsigned long long v = (unsigned long long)(d < 0 ? -d : d);
        size_t k = sizeof(digits);

        do {
            digits[--k] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        if (d < 0)
            digits[--k] = '-';
        return wh_buf_add(out, digits + k, sizeof(digits) - k);
    }
    {
        char num[32];

        (void)snprintf(num, sizeof(num), "%1.15g", d);
        back = strtod(num, NULL);
        a = back < 0 ? -back : back;
        b = d < 0 ? -d : d;
        max = a > b ? a : b;
        if ((back - d < 0 ? d - back : back - d) > max * DBL_EPSILON)
            (void)snprintf(num, sizeof(num), "%1.17g", d);
        return wh_buf_add(out, num, strlen(num));
    }
}

int wh_json_print(struct wh_buf *out, const cJSON *item)
{
    const cJSON *c;
    int rc = WH_OK;

    switch (item->type & 0xff) {
    case cJSON_NULL:
        return wh_buf_add(out, "null", 4);
    case cJSON_False:
        return wh_buf_add(out, "false", 5);
    case cJSON_True:
        return wh_buf_add(out, "true", 4);
    case cJSON_Number:
        return print_number(out, item);
    case cJSON_String:
        return wh_json_escape(out, item->valuestring ? item->valuestring : "");
    case cJSON_Raw:
        return item->valuestring ? wh_buf_add(out, item->valuestring, strlen(item->valuestring))
                                 : WH_EINVAL;
    case cJSON_Array:
    case cJSON_Object:
        rc = wh_buf_addc(out, (item->type & 0xff) == cJSON_Array ? '[' : '{');
        for (c = item->child; c && rc == WH_OK; c = c->next) {
            if (c != item->child)
                rc = wh_buf_addc(out, ',');
            if (rc == WH_OK && (item->type & 0xff) == cJSON_Object) {
                rc = wh_json_escape(out, c->string ? c->string : "");
                if (rc == WH_OK)
                    rc = wh_buf_addc(out, ':');
            }
            if (rc == WH_OK)
                rc = wh_json_print(out, c);
        }
        if (rc == WH_OK)
            rc = wh_buf_addc(out, (item->type & 0xff) == cJSON_Array ? ']' : '}');
        return rc;
    default:
        return WH_EINVAL;
    }
}

void wh_json_add(cJSON *obj, const char *key, cJSON *item)
{
    if (!cJSON_AddItemToObject(obj, key, item))
        cJSON_Delete(item);
}

void wh_json_append(cJSON *array, cJSON *item)
{
    if (!cJSON_AddItemToArray(array, item))
        cJSON_Delete(item);
}
