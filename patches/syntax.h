/* SPDX-License-Identifier: Apache-2.0
 *
 * syntax.h - parsers for the value syntaxes of sparkhook's namespace
 * annotations and config profiles. Each turns one annotation value into a
 * caller-owned, fixed-size struct (no heap) and rejects anything it does not
 * fully understand, so a typo is an error with a reason, never a silent no-op.
 *
 * The syntaxes (quoted by the README's annotation table):
 *
 *   labels         key=value[,key=value...]           node selectors
 *                  e.g. "topology.kubernetes.io/zone=eu-west-1a,pool=spark"
 *                  key: Kubernetes label key ([prefix/]name; prefix a DNS
 *                  subdomain <= 253, name 1-63 of [-_.A-Za-z0-9] starting and
 *                  ending alphanumeric); value: label value, 1-63 of the same
 *                  characters (an empty value is refused). No key twice.
 *   tolerations    kubectl taint syntax, comma separated:
 *                  key=value:Effect   operator Equal, one effect
 *                  key:Effect         operator Exists, one effect
 *                  key=value          operator Equal, every effect
 *                  key                operator Exists, every effect
 *                  e.g. "dedicated=spark:NoSchedule,spot:NoExecute"
 *                  Effect is NoSchedule, PreferNoSchedule or NoExecute
 *                  (case-sensitive). An empty key is refused: Kubernetes would
 *                  read it as "tolerate every taint". "key=:Effect" (an empty
 *                  value) is refused too: write "key:Effect".
 *   scratch        size=QUANTITY[,storageClass=NAME][,accessMode=MODE]
 *                  e.g. "size=200Gi,storageClass=gp3-encrypted"
 *                  size is required: a whole number with an optional unit
 *                  Ki Mi Gi Ti Pi (binary) or k M G T P (decimal), no unit
 *                  meaning bytes, from 1 byte to 1Pi. storageClass is a DNS
 *                  subdomain; absent means the cluster's default class.
 *                  accessMode is ReadWriteOnce (default) or ReadWriteOncePod.
 *                  Each key at most once; unknown keys are errors with a
 *                  "did you mean" hint.
 *   secret mounts  secret:/mount/path[,secret:/mount/path...]
 *                  e.g. "spark-conf:/etc/spark/conf,hive-keytab:/etc/security"
 *                  secret is a DNS subdomain; the path is absolute, clean (no
 *                  "//", "." or ".." segment, no trailing '/', not "/"), has no
 *                  ':' and no control character, at most 255 bytes. No mount
 *                  path twice.
 *   secret env     ENV=secret:key[,ENV=secret:key...]
 *                  e.g. "DB_PASSWORD=db-creds:password,API_TOKEN=api:token"
 *                  ENV is a C identifier ([A-Za-z_][A-Za-z0-9_]*, <= 255);
 *                  secret a DNS subdomain; key a Secret data key
 *                  ([-._A-Za-z0-9], 1-253, not "." and not starting with "..").
 *                  No ENV twice.
 *   bool           exactly "true" or "false"
 *
 * Common rules for the lists: items are separated by ',' and spaces, tabs and
 * newlines around items, keys and values are trimmed. An empty or blank value
 * is an empty list (for scratch: "size is required"); an empty item (",",
 * "a=b,", "a=b,,c=d") is an error. At most WH_SYNTAX_MAX_ITEMS items and
 * WH_SYNTAX_MAX_INPUT bytes; both caps are checked before any parsing.
 *
 * Errors: every parser returns WH_OK, WH_EPARSE (bad value; err->msg names
 * the offending part, e.g. `item 2 "zone=": empty value`, quoting at most 40
 * bytes with non-printable bytes escaped as \xNN), or WH_EINVAL (a NULL
 * argument: a programmer error). err may be NULL.
 *
 * Ownership: every struct is caller-owned storage; nothing is allocated and no
 * pointer into the input is kept. The output is cleared on entry and is
 * complete on WH_OK; on failure it is left cleared.
 *
 * Thread-safety: all functions are pure (no global state) and thread-safe.
 */
#ifndef WH_SYNTAX_H
#define WH_SYNTAX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wh.h"

#define WH_SYNTAX_MAX_ITEMS 32   /* items per list */
#define WH_SYNTAX_MAX_INPUT 4096 /* bytes per value, before trimming */

#define WH_SYNTAX_LABEL_NAME_MAX  63                  /* name part of a key */
#define WH_SYNTAX_SUBDOMAIN_MAX   253                 /* DNS-1123 subdomain */
#define WH_SYNTAX_LABEL_KEY_MAX   (253 + 1 + 63)      /* prefix '/' name */
#define WH_SYNTAX_LABEL_VALUE_MAX 63                  /* label value */
#define WH_SYNTAX_SIZE_TEXT_MAX   31                  /* "200Gi" as written */
#define WH_SYNTAX_SCRATCH_MAX     (UINT64_C(1) << 50) /* 1Pi */
#define WH_SYNTAX_MOUNT_PATH_MAX  255                 /* mount path bytes */
#define WH_SYNTAX_ENV_NAME_MAX    255                 /* env variable name */
#define WH_SYNTAX_DATA_KEY_MAX    253                 /* Secret data key */
#define WH_SYNTAX_NEAR_MISS_MAX   128                 /* longest key compared */

/* One node-selector entry. */
struct wh_label {
    char key[WH_SYNTAX_LABEL_KEY_MAX + 1];
    char value[WH_SYNTAX_LABEL_VALUE_MAX + 1];
};

struct wh_kv_list {
    size_t n;
    struct wh_label item[WH_SYNTAX_MAX_ITEMS];
};

/* One toleration. op is "Equal" or "Exists"; value is empty for "Exists";
 * effect is empty for "every effect". */
struct wh_toleration {
    char key[WH_SYNTAX_LABEL_KEY_MAX + 1];
    char value[WH_SYNTAX_LABEL_VALUE_MAX + 1];
    char op[8];
    char effect[20];
};

struct wh_toleration_list {
    size_t n;
    struct wh_toleration item[WH_SYNTAX_MAX_ITEMS];
};

/* A scratch volume claim. size is the quantity as written (for the claim),
 * bytes its value; storage_class is empty for the cluster default;
 * access_mode is "ReadWriteOnce" or "ReadWriteOncePod". */
struct wh_scratch {
    char size[WH_SYNTAX_SIZE_TEXT_MAX + 1];
    uint64_t bytes;
    char storage_class[WH_SYNTAX_SUBDOMAIN_MAX + 1];
    char access_mode[24];
};

struct wh_secret_mount {
    char secret[WH_SYNTAX_SUBDOMAIN_MAX + 1];
    char path[WH_SYNTAX_MOUNT_PATH_MAX + 1];
};

struct wh_secret_mount_list {
    size_t n;
    struct wh_secret_mount item[WH_SYNTAX_MAX_ITEMS];
};

struct wh_secret_env {
    char env[WH_SYNTAX_ENV_NAME_MAX + 1];
    char secret[WH_SYNTAX_SUBDOMAIN_MAX + 1];
    char key[WH_SYNTAX_DATA_KEY_MAX + 1];
};

struct wh_secret_env_list {
    size_t n;
    struct wh_secret_env item[WH_SYNTAX_MAX_ITEMS];
};

/* Parses "key=value,..." (node selectors) into out, in input order. */
int wh_syntax_labels(const char *s, struct wh_kv_list *out, struct wh_err *err);

/* Parses kubectl-style tolerations ("key=value:Effect,key:Effect,...") into
 * out, in input order. An exact duplicate item is an error. */
int wh_syntax_tolerations(const char *s, struct wh_toleration_list *out, struct wh_err *err);

/* Parses "size=200Gi[,storageClass=NAME][,accessMode=MODE]" into out; fills
 * out->bytes (overflow-checked) and the default access mode. */
int wh_syntax_scratch(const char *s, struct wh_scratch *out, struct wh_err *err);

/* Parses "secret:/mount/path,..." into out, in input order. */
int wh_syntax_secret_mounts(const char *s, struct wh_secret_mount_list *out, struct wh_err *err);

/* Parses "ENV=secret:key,..." into out, in input order. */
int wh_syntax_secret_env(const char *s, struct wh_secret_env_list *out, struct wh_err *err);

/* Parses exactly "true" or "false" (no spaces, lower case) into *out, which is
 * untouched on failure. */
int wh_syntax_bool(const char *s, bool *out, struct wh_err *err);

/* ---- single identity values ------------------------------------------------
 *
 * Checked alike by the generators when a pod is admitted and by the config
 * loader for profiles and defaults, so that the config refuses what the
 * generators would:
 *
 *   role ARN       arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME: ACCOUNT 12
 *                  digits, PATH and NAME of [A-Za-z0-9+=,.@_/-], not ending in
 *                  '/', at most WH_SYNTAX_ARN_MAX bytes
 *   GUID           8-4-4-4-12 hex digits, either case
 *   GCP audience   "//iam.googleapis.com/..." or "https://...", printable
 *                  ASCII without spaces, at most WH_SYNTAX_GCP_AUDIENCE_MAX
 *   ConfigMap ref  NAME or NAME:KEY: NAME a DNS subdomain, KEY a data key
 *   AWS region     1 to WH_SYNTAX_AWS_REGION_MAX of a-z, 0-9 and '-'
 *
 * The *_invalid functions return why s is not valid (a static string), or
 * NULL when it is. */
#define WH_SYNTAX_ARN_MAX          2048
#define WH_SYNTAX_GCP_AUDIENCE_MAX 512 /* a provider's full resource name is ~150 bytes */
#define WH_SYNTAX_AWS_REGION_MAX   32  /* AWS's region names run to about 15 */

bool wh_syntax_role_arn_ok(const char *s);
bool wh_syntax_guid_ok(const char *s);
bool wh_syntax_gcp_audience_ok(const char *s);
bool wh_syntax_aws_region_ok(const char *s);
const char *wh_syntax_subdomain_invalid(const char *s, size_t len);
const char *wh_syntax_data_key_invalid(const char *s);

/* NAME or NAME:KEY; WH_OK or WH_EPARSE with err->msg naming the faulty part
 * ("ConfigMap name \"X\" is not a DNS subdomain (...)", "key \"K\" ..."). */
int wh_syntax_configmap_ref(const char *s, struct wh_err *err);

/* Returns the entry of known[0..nknown) closest to key by optimal string
 * alignment distance (Damerau-Levenshtein with adjacent transpositions, case
 * sensitive) when that distance is 1..max_dist; ties go to the earlier entry.
 * Returns NULL when key equals an entry, when nothing is close enough, or when
 * key is NULL or longer than WH_SYNTAX_NEAR_MISS_MAX bytes (longer or NULL
 * entries are skipped). The result is borrowed from known. O(len^2) time,
 * stack memory only. */
const char *wh_syntax_near_miss(const char *key, const char *const *known, size_t nknown,
                                size_t max_dist);

/* True when name is one entry of list, entries separated by sep (',' on EKS,
 * ';' on Azure) and trimmed of blanks (space, tab, CR, LF, VT, FF); exact,
 * case-sensitive match.
 * False for a NULL or empty name, a NULL list, or a list longer than
 * WH_SYNTAX_MAX_INPUT bytes (which the list annotations never are). */
bool wh_syntax_list_contains(const char *list, char sep, const char *name);

#endif
