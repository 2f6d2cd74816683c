/* SPDX-License-Identifier: Apache-2.0
 *
 * commands.c - serve, mutate and check-config: load what the command needs
 * (config, objects, certificates), run it, release everything.
 */
#include "commands.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admission.h"
#include "apply.h"
#include "auth.h"
#include "cache.h"
#include "config.h"
#include "http.h"
#include "kube.h"
#include "mutate.h"
#include "objects.h"
#include "tls.h"
#include "util/file.h"
#include "util/json.h"

#include "banned.h"

#define TLS_POLL_MS  1000 /* certificate rotation is seen within a second or two */
#define MUTATE_INPUT (64u * 1024u * 1024u)

int wh_cmd_load_config(const struct wh_cli *cli, struct wh_config **out)
{
    struct wh_err err;

    if (cli->config == NULL) {
        *out = wh_config_new_defaults();
        return WH_OK;
    }
    if (wh_config_load(cli->config, out, &err) != WH_OK) {
        log_error("%s", err.msg);
        return WH_EXIT_USAGE;
    }
    return WH_OK;
}

int wh_cmd_load_objects(const struct wh_cli *cli, struct wh_snapshot **out)
{
    struct wh_err err;

    if (cli->objects == NULL) {
        *out = wh_snapshot_build(wh_snapshot_builder_new(NULL));
        return WH_OK;
    }
    if (wh_objects_load(cli->objects, out, &err) != WH_OK) {
        log_error("%s", err.msg);
        return WH_EXIT_USAGE;
    }
    return WH_OK;
}

/* Loads the serving pair and starts watching it for rotation. */
static int load_tls(const struct wh_cli *cli)
{
    struct wh_err err;

    if (wh_tls_load(cli->tls_cert, cli->tls_key, &err) != WH_OK) {
        log_error("serving certificate %s / key %s: %s", cli->tls_cert, cli->tls_key, err.msg);
        return WH_EXIT_USAGE;
    }
    if (wh_tls_watch_start(TLS_POLL_MS, &err) != WH_OK) {
        log_error("%s", err.msg);
        return WH_EXIT_FAILURE;
    }
    return WH_OK;
}

#define MAX_RELOADS 64 /* configs kept alive for requests that may still use them */

/* Everything serve runs, in start order; released in reverse. */
struct app {
    struct wh_config *cfg; /* the first config: cache and servers sized by it */
    struct wh_config *reloaded[MAX_RELOADS];
    size_t nreloaded;
    atomic_bool stopping;
    struct wh_kube *kube;
    struct wh_cache *cache;
    struct wh_http *webhook;
    struct wh_auth *auth;
    struct wh_buf client_ca;
    struct wh_http *probes;
};

/* Caller authentication from auth.* (off when none is set). */
static int load_auth(struct app *app)
{
    struct wh_err err;

    if (wh_auth_new(app->cfg, &app->auth, &err) != WH_OK) {
        log_error("%s", err.msg);
        return WH_EXIT_USAGE;
    }
    if (app->cfg->auth_client_ca[0] &&
        wh_file_read(app->cfg->auth_client_ca, &app->client_ca, &err) != WH_OK) {
        log_error("auth.clientCaFile: %s", err.msg);
        return WH_EXIT_USAGE;
    }
    if (app->auth)
        log_info("caller authentication on:%s%s%s",
                 app->cfg->auth_token_file[0] ? " bearer token" : "",
                 app->cfg->auth_jwt_keys[0] ? " jwt" : "",
                 app->cfg->auth_client_ca[0] ? " client certificate" : "");
    return WH_OK;
}

static bool app_ready(void *arg, char *why, size_t size)
{
    struct app *app = arg;
    struct wh_cache_stats st;

    if (atomic_load(&app->stopping)) {
        (void)snprintf(why, size, "shutting down");
        return false;
    }
    if (app->webhook == NULL) {
        (void)snprintf(why, size, "the HTTPS server is not serving yet");
        return false;
    }
    if (wh_tls_not_after() <= time(NULL)) {
        (void)snprintf(why, size, "the serving certificate has expired");
        return false;
    }
    wh_cache_stats(app->cache, &st);
    if (!st.synced[WH_KIND_NAMESPACE] || !st.synced[WH_KIND_SERVICEACCOUNT]) {
        (void)snprintf(why, size, "first list of %s%s%s from the API server not done",
                       st.synced[WH_KIND_NAMESPACE] ? "" : "namespaces",
                       !st.synced[WH_KIND_NAMESPACE] && !st.synced[WH_KIND_SERVICEACCOUNT] ? " and "
                                                                                           : "",
                       st.synced[WH_KIND_SERVICEACCOUNT] ? "" : "serviceaccounts");
        return false;
    }
    return true;
}

/* Picks the source of cluster objects: a file, the API server, or none. */
static int start_source(const struct wh_cli *cli, struct app *app)
{
    struct wh_kube_opts ko = { cli->kube_api, cli->kube_token_file, cli->kube_ca_file,
                               app->cfg->kube_token_reread_s };
    struct wh_snapshot *snap = NULL;
    struct wh_err err;
    int rc;

    if (cli->objects) {
        rc = wh_cmd_load_objects(cli, &snap);
        if (rc == WH_OK) {
            log_info("%zu namespaces, %zu service accounts from %s",
                     wh_snapshot_count(snap, WH_KIND_NAMESPACE),
                     wh_snapshot_count(snap, WH_KIND_SERVICEACCOUNT), cli->objects);
            wh_cache_publish(app->cache, snap);
        }
        return rc;
    }
    if (cli->kube_api == NULL && getenv("KUBERNETES_SERVICE_HOST") == NULL) {
        log_warnx("no --objects and no API server: no namespace opts in, nothing is injected");
        wh_cache_publish(app->cache, wh_snapshot_build(wh_snapshot_builder_new(NULL)));
        return WH_OK;
    }
    if (wh_kube_new(&ko, &app->kube, &err) != WH_OK) {
        log_error("%s", err.msg);
        return WH_EXIT_USAGE;
    }
    log_info("watching namespaces and serviceaccounts at %s", wh_kube_url(app->kube));
    if (wh_cache_start(app->cache, app->kube, &err) != WH_OK) {
        log_error("%s", err.msg);
        return WH_EXIT_FAILURE;
    }
    return WH_OK;
}

static int start_servers(const struct wh_cli *cli, struct app *app)
{
    struct wh_http_opts o;
    struct wh_err err;

    memset(&o, 0, sizeof(o));
    o.kind = WH_HTTP_WEBHOOK;
    o.listen = cli->listen;
    o.cfg = app->cfg;
    o.cache = app->cache;
    o.live_cache = app->kube != NULL;
    o.auth = app->auth;
    o.client_ca_pem = app->client_ca.len ? wh_buf_str(&app->client_ca) : NULL;
    if (wh_http_start(&o, &app->webhook, &err) != WH_OK) {
        log_error("%s", err.msg);
        return WH_EXIT_FAILURE;
    }
    log_info("serving https on %s (port %u), config %s", cli->listen, wh_http_port(app->webhook),
             cli->config ? cli->config : "(embedded defaults)");
    if (cli->probe_listen == NULL)
        return WH_OK;
    memset(&o, 0, sizeof(o));
    o.kind = WH_HTTP_PROBES;
    o.listen = cli->probe_listen;
    o.cfg = app->cfg;
    o.cache = app->cache;
    o.ready = app_ready;
    o.ready_arg = app;
    if (wh_http_start(&o, &app->probes, &err) != WH_OK) {
        log_error("%s", err.msg);
        return WH_EXIT_FAILURE;
    }
    log_info("serving probes on http %s (port %u)", cli->probe_listen, wh_http_port(app->probes));
    return WH_OK;
}

/* SIGHUP: a new config for the requests to come, or the old one kept. */
static void reload(const struct wh_cli *cli, struct app *app)
{
    struct wh_config *cfg = NULL;
    struct wh_err err;

    if (cli->config == NULL) {
        log_warnx("SIGHUP: no --config file to reload; the embedded defaults stay");
        return;
    }
    if (app->nreloaded == MAX_RELOADS) {
        log_warnx("SIGHUP: %d reloads already; restart to reload again", MAX_RELOADS);
        return;
    }
    if (wh_config_load(cli->config, &cfg, &err) != WH_OK) {
        log_error("SIGHUP: %s; the running config is kept", err.msg);
        return;
    }
    app->reloaded[app->nreloaded++] = cfg;
    wh_http_set_config(app->webhook, cfg);
    log_info("SIGHUP: config %s reloaded (server.* and kube.* changes need a restart)",
             cli->config);
}

/* Serves until SIGTERM or SIGINT; SIGHUP reloads the config. */
static void run_until_stopped(const struct wh_cli *cli, struct app *app, const sigset_t *set)
{
    int sig = 0;

    for (;;) {
        if (sigwait(set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            reload(cli, app);
            continue;
        }
        break;
    }
    log_info("received signal %d: draining (at most %llu s)", sig,
             (unsigned long long)app->cfg->shutdown_grace_s);
    atomic_store(&app->stopping, true);
    {
        int left = wh_http_drain(app->webhook, (unsigned)app->cfg->shutdown_grace_s * 1000u);

        if (left > 0)
            log_warnx("%d connections still open at the end of the grace period", left);
    }
}

int wh_cmd_serve(const struct wh_cli *cli)
{
    struct app app;
    sigset_t set;
    int rc;

    memset(&app, 0, sizeof(app));
    /* Block the stop signals in every thread; the main thread waits for them. */
    (void)sigemptyset(&set);
    (void)sigaddset(&set, SIGINT);
    (void)sigaddset(&set, SIGTERM);
    (void)sigaddset(&set, SIGHUP);
    (void)pthread_sigmask(SIG_BLOCK, &set, NULL);
    (void)signal(SIGPIPE, SIG_IGN);
    atomic_init(&app.stopping, false);
    wh_buf_init(&app.client_ca, 1u << 20);
    rc = wh_cmd_load_config(cli, &app.cfg);
    if (rc == WH_OK)
        rc = load_tls(cli);
    if (rc == WH_OK)
        rc = load_auth(&app);
    if (rc != WH_OK)
        goto out;
    log_info("sparkhook %s starting", WH_VERSION);
    app.cache = wh_cache_new(app.cfg);
    rc = start_source(cli, &app);
    if (rc == WH_OK)
        rc = start_servers(cli, &app);
    if (rc == WH_OK) {
        run_until_stopped(cli, &app, &set);
        log_info("stopping");
    }
out:
    wh_http_stop(app.webhook);
    wh_http_stop(app.probes);
    wh_tls_shutdown();
    wh_auth_free(app.auth);
    wh_buf_cleanup(&app.client_ca);
    wh_cache_free(app.cache);
    wh_kube_free(app.kube);
    wh_config_free(app.cfg);
    while (app.nreloaded > 0)
        wh_config_free(app.reloaded[--app.nreloaded]);
    return rc;
}

/* Wraps a bare Pod as an AdmissionReview v1 CREATE. Consumes pod. */
static char *wrap_pod(cJSON *pod, const char *ns_flag)
{
    const char *ns = ns_flag;

    if (ns == NULL)
        ns = wh_json_get_str(wh_json_get(pod, "metadata", WH_JSON_OBJECT), "namespace");
    return wh_admission_wrap_pod(pod, ns ? ns : "default", "00000000-0000-0000-0000-000000000000");
}

/* Reads the input; a bare Pod becomes a review. *text is malloc'd. */
static int read_review(const struct wh_cli *cli, const struct wh_config *cfg, char **text,
                       size_t *len)
{
    struct wh_buf in;
    struct wh_err err;
    cJSON *root = NULL;
    int rc = WH_OK;

    wh_buf_init(&in, MUTATE_INPUT);
    if (wh_file_read(cli->input, &in, &err) != WH_OK) {
        log_error("%s", err.msg);
        return WH_EXIT_USAGE;
    }
    /* Only a document that parses and says kind: Pod is wrapped; anything
     * else goes to the pipeline as is, which reports what is wrong. */
    if (wh_json_parse(wh_buf_str(&in), in.len, (int)cfg->max_depth, &root, NULL) == WH_OK &&
        strcmp(wh_json_get_str(root, "kind") ? wh_json_get_str(root, "kind") : "", "Pod") == 0) {
        *text = wrap_pod(root, cli->namespace_);
        *len = strlen(*text);
        root = NULL;
    } else {
        *text = wh_buf_take(&in, len);
    }
    cJSON_Delete(root);
    wh_buf_cleanup(&in);
    return rc;
}

/* Prints the patched pod: request.object with the patch applied. */
static int print_pod(const char *review, size_t len, const struct wh_result *res,
                     const struct wh_config *cfg)
{
    struct wh_err err;
    cJSON *root = NULL;
    cJSON *obj;
    char *out;
    int rc;

    rc = wh_json_parse(review, len, (int)cfg->max_depth, &root, &err);
    obj = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "request"),
                                           "object");
    if (rc == WH_OK && res->patch.len)
        rc = wh_patch_apply(obj, wh_buf_str(&res->patch), res->patch.len, &err);
    if (rc != WH_OK) {
        log_error("cannot apply the patch: %s", err.msg);
        cJSON_Delete(root);
        return WH_EXIT_FAILURE;
    }
    out = cJSON_Print(obj);
    (void)printf("%s\n", out);
    free(out);
    cJSON_Delete(root);
    return WH_EXIT_OK;
}

int wh_cmd_mutate(const struct wh_cli *cli)
{
    struct wh_config *cfg = NULL;
    struct wh_snapshot *snap = NULL;
    struct wh_result res;
    char *review = NULL;
    size_t len = 0;
    int rc;

    rc = wh_cmd_load_config(cli, &cfg);
    if (rc == WH_OK)
        rc = wh_cmd_load_objects(cli, &snap);
    if (rc == WH_OK)
        rc = read_review(cli, cfg, &review, &len);
    if (rc != WH_OK)
        goto out;
    wh_result_init(&res, cfg);
    wh_mutate(cfg, snap, review, len, &res);
    if (res.http_status != 200) {
        log_error("review refused (HTTP %d): %s", res.http_status, res.err.msg);
        rc = WH_EXIT_FAILURE;
    }
    if (cli->output == WH_OUT_RESPONSE)
        (void)printf("%s\n", wh_buf_str(&res.body));
    else if (rc == WH_OK && cli->output == WH_OUT_PATCH)
        (void)printf("%s\n", res.patch.len ? wh_buf_str(&res.patch) : "[]");
    else if (rc == WH_OK)
        rc = print_pod(review, len, &res, cfg);
    wh_result_cleanup(&res);
out:
    free(review);
    wh_snapshot_unref(snap);
    wh_config_free(cfg);
    return rc;
}

int wh_cmd_check_config(const struct wh_cli *cli)
{
    struct wh_config *cfg = NULL;
    struct wh_buf out;
    int rc;

    rc = wh_cmd_load_config(cli, &cfg);
    if (rc != WH_OK)
        return rc;
    wh_buf_init(&out, 1u << 20);
    (void)wh_config_render(cfg, &out);
    (void)fputs(wh_buf_str(&out), stdout);
    (void)fputs("configuration OK\n", stderr);
    wh_buf_cleanup(&out);
    wh_config_free(cfg);
    return WH_EXIT_OK;
}
