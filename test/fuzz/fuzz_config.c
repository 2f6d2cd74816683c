/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_config.c - the configuration loader and renderer. For any input,
 * wh_config_parse either fails with a message and no config, or succeeds;
 * then the rendering of the config is a valid config document whose own
 * rendering is byte-identical (render is a fixed point of parse), and it
 * stays within WH_CONFIG_MAX_FILE.
 */
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "util/buf.h"

#include "banned.h"

static void render(const struct wh_config *cfg, struct wh_buf *out)
{
    int rc = wh_config_render(cfg, out);

    FUZZ_CHECK(rc == WH_OK, "render failed: rc=%d", rc);
    FUZZ_CHECK(out->len > 0 && strlen(wh_buf_str(out)) == out->len, "empty or NUL in rendering");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wh_config *cfg = NULL, *again = NULL;
    struct wh_buf r1, r2;
    struct wh_err err;
    char *text;
    int rc;

    fuzz_init();
    text = fuzz_text(data, size);
    wh_buf_init(&r1, WH_CONFIG_MAX_FILE);
    wh_buf_init(&r2, WH_CONFIG_MAX_FILE);
    memset(&err, 0, sizeof(err));
    rc = wh_config_parse(text, size, &cfg, &err);
    if (rc != WH_OK) {
        FUZZ_CHECK(cfg == NULL, "config returned with rc=%d", rc);
        FUZZ_CHECK(err.msg[0] != '\0', "failure without a message (rc=%d)", rc);
        goto out;
    }
    FUZZ_CHECK(cfg != NULL, "WH_OK without a config");
    render(cfg, &r1);
    rc = wh_config_parse(wh_buf_str(&r1), r1.len, &again, &err);
    FUZZ_CHECK(rc == WH_OK, "rendering does not parse: %s\n%s", err.msg, wh_buf_str(&r1));
    render(again, &r2);
    FUZZ_CHECK(r1.len == r2.len && memcmp(r1.data, r2.data, r1.len) == 0,
               "rendering is not stable:\n%s\n---\n%s", wh_buf_str(&r1), wh_buf_str(&r2));
out:
    wh_config_free(again);
    wh_config_free(cfg);
    wh_buf_cleanup(&r1);
    wh_buf_cleanup(&r2);
    free(text);
    return 0;
}
