#!/usr/bin/env python3
"""Self-test for fake_apiserver.py: starts it as a subprocess and drives it over
real TLS (verified against the generated CA). Prints "N passed, N failed" last
and exits non-zero on any failure.

    /usr/bin/python3 test/fakeapi/test_fake_apiserver.py
"""
import gzip
import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TESTS = []
FAKE = None  # the running fake (FakeProcess)

UNAUTHORIZED = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "Unauthorized", "reason": "Unauthorized", "code": 401}


def test(fn):
    TESTS.append(fn)
    return fn


def check(cond, msg="check failed"):
    if not cond:
        raise AssertionError(msg)


def eq(got, want, what="value"):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


def wait_until(pred, timeout=5.0, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


class FakeProcess:
    def __init__(self, tmp):
        certs = os.path.join(tmp, "certs")
        subprocess.run(["sh", os.path.join(REPO, "certs", "gen-dev-certs.sh"), certs], check=True)
        self.token_file = os.path.join(tmp, "tokens")
        self.write_tokens("tok-1\n")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "fake_apiserver.py"),
             "--cert", os.path.join(certs, "tls.crt"), "--key", os.path.join(certs, "tls.key"),
             "--token-file", self.token_file, "--port", "0"],
            stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            raise AssertionError("first stdout line should be PORT <n>, got %r" % line)
        self.port = int(line.split()[1])
        self.ctx = ssl.create_default_context(cafile=os.path.join(certs, "ca.pem"))

    def write_tokens(self, text):
        with open(self.token_file, "w") as f:
            f.write(text)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# ---------------------------------------------------------------------------
# clients


def request(method, path, token="tok-1", body=None, headers=None, timeout=30, auth=None):
    conn = http.client.HTTPSConnection("127.0.0.1", FAKE.port, context=FAKE.ctx, timeout=timeout)
    hdrs = dict(headers or {})
    if auth is not None:
        hdrs["Authorization"] = auth
    elif token is not None:
        hdrs["Authorization"] = "Bearer " + token
    if body is not None and not isinstance(body, bytes):
        body = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def get(path, **kw):
    status, hdrs, data = request("GET", path, **kw)
    return status, json.loads(data)


def admin(path, obj=None, method="POST"):
    status, _, data = request(method, "/_admin" + path, token=None, body=obj)
    check(status == 200, "admin %s -> %d %s" % (path, status, data[:300]))
    return json.loads(data)


def ns_obj(name, labels=None, annotations=None):
    md = {"name": name}
    if labels:
        md["labels"] = labels
    if annotations:
        md["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": md}


def sa_obj(ns, name, annotations=None):
    md = {"name": name, "namespace": ns}
    if annotations:
        md["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": md}


def apply(obj):
    return admin("/apply", {"object": obj})


def state():
    return admin("/state", method="GET")


def current_rv():
    return int(state()["resourceVersion"])


class RawWatch:
    """A watch over a raw TLS socket with hand-parsed chunked framing, so tests can
    see terminating chunks, truncated chunks and EOFs exactly."""

    def __init__(self, path, token="tok-1", timeout=10, expect_watchers=True):
        before = state()["watches"] if expect_watchers else None
        raw = socket.create_connection(("127.0.0.1", FAKE.port), timeout=timeout)
        self.sock = FAKE.ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        self.f = self.sock.makefile("rb")
        self.buf = b""
        self.terminated = self.eof = False
        self.send(path, token)
        if expect_watchers and self.status == 200:
            wait_until(lambda: state()["watches"] > before, what="watch registration")

    def send(self, path, token="tok-1"):
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                           "Accept: application/json\r\n\r\n" % (path, token)).encode())
        self.status = int(self.f.readline().split()[1])
        self.headers = {}
        while True:
            line = self.f.readline().decode().strip()
            if not line:
                break
            k, v = line.split(":", 1)
            self.headers[k.strip().lower()] = v.strip()

    def _chunk(self):
        """Next chunk's data; None at the terminating chunk or on EOF."""
        try:
            line = self.f.readline()
            if not line:
                self.eof = True
                return None
            size = int(line.strip(), 16)
            if size == 0:
                eq(self.f.readline(), b"\r\n", "after terminating chunk")
                self.terminated = True
                return None
            data = self.f.read(size)
            if len(data) < size:
                self.buf += data
                self.eof = True
                return None
            eq(self.f.read(2), b"\r\n", "chunk trailer")
            return data
        except (ssl.SSLError, ConnectionError):
            self.eof = True
            return None

    def line(self):
        """Next complete line (bytes), or None when the stream ended."""
        while b"\n" not in self.buf:
            data = self._chunk()
            if data is None:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def event(self):
        line = self.line()
        return None if line is None else json.loads(line)

    def events_until_end(self, limit=100):
        out = []
        while len(out) < limit:
            ev = self.event()
            if ev is None:
                return out
            out.append(ev)
        raise AssertionError("stream did not end")

    def close(self):
        try:
            self.f.close()
            self.sock.close()
        except OSError:
            pass


# ---------------------------------------------------------------------------
# tests


@test
def auth_missing_wrong_and_malformed_tokens_get_401_status():
    for kw in ({"token": None}, {"token": "nope"}, {"auth": "Basic dG9rLTE6eA=="},
               {"auth": "Bearer"}, {"auth": "Bearer "}):
        status, hdrs, data = request("GET", "/api/v1/namespaces", **kw)
        eq(status, 401, "status for %r" % kw)
        eq(json.loads(data), UNAUTHORIZED, "401 body")
        eq(hdrs["Content-Type"], "application/json", "content type")
    eq(request("GET", "/api/v1/namespaces", auth="bearer tok-1")[0], 200, "lowercase scheme")
    w = RawWatch("/api/v1/namespaces?watch=1", token="nope", expect_watchers=False)
    eq(w.status, 401, "watch without valid token")
    w.close()


@test
def token_file_is_reread_so_tokens_rotate():
    FAKE.write_tokens("tok-2\n")
    eq(request("GET", "/api/v1/namespaces")[0], 401, "old token after rotation")
    eq(request("GET", "/api/v1/namespaces", token="tok-2")[0], 200, "new token")
    FAKE.write_tokens("# comment\ntok-1\ntok-3,user3,uid3,\"g1,g2\"\n")
    eq(request("GET", "/api/v1/namespaces")[0], 200, "tok-1 back")
    eq(request("GET", "/api/v1/namespaces", token="tok-3")[0], 200, "CSV token")
    eq(request("GET", "/api/v1/namespaces", token="tok-2")[0], 401, "tok-2 removed")


@test
def request_log_records_authorization_headers():
    admin("/requests", method="DELETE")
    request("GET", "/api/v1/namespaces?limit=1", token="tok-1")
    request("GET", "/api/v1/serviceaccounts", token=None)
    state()  # admin traffic is not logged
    log = admin("/requests", method="GET")
    eq([(e["method"], e["path"], e["authorization"], e["status"]) for e in log],
       [("GET", "/api/v1/namespaces?limit=1", "Bearer tok-1", 200),
        ("GET", "/api/v1/serviceaccounts", None, 401)], "request log")
    check(isinstance(log[0]["time"], float) and log[0]["time"] <= log[1]["time"], "times")


@test
def list_and_get_namespaces_and_serviceaccounts():
    for n in ("alpha", "beta", "gamma"):
        apply(ns_obj(n, labels={"team": n}))
    apply(sa_obj("alpha", "sa2", annotations={"eks.amazonaws.com/role-arn": "arn:x"}))
    apply(sa_obj("alpha", "sa1"))
    apply(sa_obj("beta", "sa1"))
    rv = state()["resourceVersion"]
    status, lst = get("/api/v1/namespaces")
    eq(status, 200, "list status")
    eq((lst["kind"], lst["apiVersion"], lst["metadata"]), ("NamespaceList", "v1",
                                                          {"resourceVersion": rv}), "list head")
    names = [i["metadata"]["name"] for i in lst["items"]]
    eq(names, sorted(names), "namespaces sorted by key")
    check({"alpha", "beta", "gamma"} <= set(names), "applied namespaces listed")
    item = lst["items"][names.index("alpha")]
    check("kind" not in item and "apiVersion" not in item, "list items carry no kind/apiVersion")
    md = item["metadata"]
    check(md["uid"] and md["creationTimestamp"].endswith("Z") and int(md["resourceVersion"]) > 0,
          "metadata filled in: %r" % md)
    eq(md["labels"], {"team": "alpha", "kubernetes.io/metadata.name": "alpha"}, "labels")
    eq(item["status"], {"phase": "Active"}, "namespace status")
    status, lst = get("/api/v1/namespaces/alpha/serviceaccounts")
    eq((status, lst["kind"]), (200, "ServiceAccountList"), "namespaced SA list")
    eq([i["metadata"]["name"] for i in lst["items"]], ["sa1", "sa2"], "alpha SAs")
    _, lst = get("/api/v1/serviceaccounts")
    keys = [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in lst["items"]]
    check([("alpha", "sa1"), ("alpha", "sa2"), ("beta", "sa1")] == [k for k in keys if k[0] in (
        "alpha", "beta")], "cluster-wide SA list: %r" % keys)
    eq(get("/api/v1/namespaces/beta/serviceaccounts?resourceVersion=0")[1]["metadata"],
       {"resourceVersion": rv}, "rv=0 list metadata")
    status, obj = get("/api/v1/namespaces/alpha")
    eq((status, obj["kind"], obj["apiVersion"], obj["metadata"]["name"]),
       (200, "Namespace", "v1", "alpha"), "get namespace")
    status, obj = get("/api/v1/namespaces/alpha/serviceaccounts/sa2")
    eq((status, obj["kind"], obj["metadata"]["namespace"]), (200, "ServiceAccount", "alpha"), "SA")
    eq(obj["metadata"]["annotations"], {"eks.amazonaws.com/role-arn": "arn:x"}, "annotations")


@test
def get_missing_objects_is_404_status():
    status, body = get("/api/v1/namespaces/nope")
    eq((status, body), (404, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'namespaces "nope" not found', "reason": "NotFound",
        "details": {"name": "nope", "kind": "namespaces"}, "code": 404}), "namespace 404")
    status, body = get("/api/v1/namespaces/alpha/serviceaccounts/nope")
    eq((status, body["reason"], body["details"]), (404, "NotFound",
                                                   {"name": "nope", "kind": "serviceaccounts"}),
       "SA 404")
    status, body = get("/api/v1/pods")
    eq((status, body["reason"], body["code"]), (404, "NotFound", 404), "unknown resource")
    status, _, data = request("POST", "/api/v1/namespaces", body={})
    eq((status, json.loads(data)["reason"]), (405, "MethodNotAllowed"), "read-only API")
    eq(get("/api/v1/namespaces/nowhere/serviceaccounts")[1]["items"], [], "empty namespace list")


@test
def pagination_is_a_consistent_snapshot():
    apply(ns_obj("pages"))
    for i in range(7):
        apply(sa_obj("pages", "sa-%d" % i))
    base = "/api/v1/namespaces/pages/serviceaccounts"
    status, p1 = get(base + "?limit=3")
    eq(status, 200, "page 1")
    rv = p1["metadata"]["resourceVersion"]
    eq([i["metadata"]["name"] for i in p1["items"]], ["sa-0", "sa-1", "sa-2"], "page 1 items")
    eq(p1["metadata"]["remainingItemCount"], 4, "remainingItemCount")
    apply(sa_obj("pages", "sa-4", annotations={"changed": "yes"}))  # after the snapshot
    apply(sa_obj("pages", "zz-new"))
    _, p2 = get(base + "?limit=3&continue=" + p1["metadata"]["continue"])
    eq([i["metadata"]["name"] for i in p2["items"]], ["sa-3", "sa-4", "sa-5"], "page 2 items")
    eq(p2["metadata"]["resourceVersion"], rv, "page 2 keeps the snapshot RV")
    check("annotations" not in p2["items"][1]["metadata"], "page 2 shows sa-4 as of snapshot")
    _, p3 = get(base + "?limit=3&continue=" + p2["metadata"]["continue"])
    eq([i["metadata"]["name"] for i in p3["items"]], ["sa-6"], "page 3 items")
    check("continue" not in p3["metadata"] and "remainingItemCount" not in p3["metadata"],
          "last page has no continue")
    _, fresh = get(base + "?limit=100")
    eq(len(fresh["items"]), 8, "fresh list sees the new SA")
    _, exact = get(base + "?limit=100&resourceVersion=" + rv)
    eq((len(exact["items"]), exact["metadata"]["resourceVersion"]), (7, rv), "exact-RV list")
    _, cached = get(base + "?limit=3&resourceVersion=0")
    eq((len(cached["items"]), "continue" in cached["metadata"]), (8, False),
       "resourceVersion=0 is served from the cache and ignores limit")
    status, body = get(base + "?limit=3&continue=not-a-token!")
    eq((status, body["reason"]), (400, "BadRequest"), "bad continue token")
    check(body["message"].startswith("invalid continue token"), body["message"])
    status, body = get(base + "?limit=3&resourceVersion=5&continue=" + p1["metadata"]["continue"])
    eq((status, body["message"]), (400, "specifying resource version is not allowed when using "
                                        "continue"), "continue + resourceVersion")


@test
def watch_streams_added_modified_deleted_in_order():
    rv = current_rv()
    w = RawWatch("/api/v1/namespaces?watch=1&resourceVersion=%d&timeoutSeconds=20" % rv)
    eq((w.status, w.headers.get("content-type"), w.headers.get("transfer-encoding")),
       (200, "application/json", "chunked"), "watch response head")
    eq(apply(ns_obj("w1"))["type"], "ADDED", "apply create")
    eq(apply(ns_obj("w1", labels={"v": "2"}))["type"], "MODIFIED", "apply update")
    eq(apply(ns_obj("w1", labels={"v": "2"}))["type"], "UNCHANGED", "no-op apply")
    deleted = admin("/delete", {"kind": "Namespace", "name": "w1"})
    evs = [w.event() for _ in range(3)]
    eq([e["type"] for e in evs], ["ADDED", "MODIFIED", "DELETED"], "event types")
    rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in evs]
    check(rv < rvs[0] < rvs[1] < rvs[2], "increasing RVs %r after %d" % (rvs, rv))
    eq(str(rvs[2]), deleted["object"]["metadata"]["resourceVersion"], "DELETED carries delete RV")
    check(all(e["object"]["kind"] == "Namespace" and e["object"]["apiVersion"] == "v1"
              for e in evs), "watch objects carry kind/apiVersion")
    eq(evs[1]["object"]["metadata"]["labels"]["v"], "2", "MODIFIED has the new object")
    w.close()


@test
def watch_on_one_namespace_and_from_history():
    rv = current_rv()
    w = RawWatch("/api/v1/namespaces/wns/serviceaccounts?watch=true&resourceVersion=%d" % rv)
    apply(sa_obj("other", "x"))
    apply(sa_obj("wns", "a"))
    apply(sa_obj("wns", "b"))
    eq([(e["type"], e["object"]["metadata"]["name"]) for e in (w.event(), w.event())],
       [("ADDED", "a"), ("ADDED", "b")], "only wns events")
    w.close()
    w = RawWatch("/api/v1/serviceaccounts?watch=1&resourceVersion=%d&timeoutSeconds=1" % rv)
    eq([e["object"]["metadata"]["name"] for e in w.events_until_end()], ["x", "a", "b"],
       "replay from history")
    check(w.terminated, "clean end")
    w.close()


@test
def watch_without_resource_version_starts_with_current_state():
    _, lst = get("/api/v1/namespaces")
    w = RawWatch("/api/v1/namespaces?watch=1&timeoutSeconds=1")
    evs = w.events_until_end()
    eq([(e["type"], e["object"]["metadata"]["name"]) for e in evs],
       [("ADDED", i["metadata"]["name"]) for i in lst["items"]], "synthetic ADDED events")
    w.close()


@test
def bookmarks_arrive_and_timeout_ends_stream_with_terminating_chunk():
    rv = current_rv()
    start = time.monotonic()
    w = RawWatch("/api/v1/serviceaccounts?watch=1&allowWatchBookmarks=true&timeoutSeconds=3"
                 "&resourceVersion=%d" % rv)
    evs = w.events_until_end()
    took = time.monotonic() - start
    check(2.5 <= took < 5, "stream ended after %.2fs, want ~3s" % took)
    check(w.terminated and not w.eof, "terminating zero chunk, not EOF")
    check(len(evs) >= 2 and all(e["type"] == "BOOKMARK" for e in evs), "bookmarks: %r" % evs)
    eq(evs[0]["object"], {"kind": "ServiceAccount", "apiVersion": "v1",
                          "metadata": {"resourceVersion": str(rv), "creationTimestamp": None}},
       "bookmark object")
    w.send("/api/v1/namespaces/alpha")  # connection is reusable after a clean end
    eq(w.status, 200, "keep-alive request after watch")
    w.close()
    w = RawWatch("/api/v1/namespaces?watch=1&timeoutSeconds=2&resourceVersion=%d" % rv)
    eq(w.events_until_end(), [], "no bookmarks unless allowWatchBookmarks=true")
    check(w.terminated, "clean end")
    w.close()


@test
def watch_notices_client_disconnect():
    before = state()["watches"]
    w = RawWatch("/api/v1/namespaces?watch=1&resourceVersion=%d" % current_rv())
    eq(state()["watches"], before + 1, "registered")
    w.close()
    wait_until(lambda: state()["watches"] == before, 10, "server to drop the closed watch")


@test
def restart_drops_watches_and_expires_old_resource_versions():
    old_rv = current_rv()
    _, page = get("/api/v1/namespaces?limit=2")
    w = RawWatch("/api/v1/namespaces?watch=1&resourceVersion=%d&timeoutSeconds=30" % old_rv)
    res = admin("/restart")
    check(res["droppedWatches"] >= 1, "restart dropped the watch: %r" % res)
    check(int(res["resourceVersion"]) > old_rv, "RV jumped")
    eq(w.event(), None, "watch cut")
    check(w.eof and not w.terminated, "abrupt close, no terminating chunk")
    w.close()
    w = RawWatch("/api/v1/namespaces?watch=1&resourceVersion=%d" % old_rv, expect_watchers=False)
    eq(w.status, 200, "expired watch is still HTTP 200")
    evs = w.events_until_end()
    eq(evs, [{"type": "ERROR", "object": {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "too old resource version: %d (%s)" % (old_rv, res["resourceVersion"]),
        "reason": "Expired", "code": 410}}], "ERROR 410 event")
    check(w.terminated, "stream ends cleanly after the ERROR event")
    w.close()
    status, body = get("/api/v1/namespaces?limit=2&continue=" + page["metadata"]["continue"])
    eq((status, body["reason"], body["code"]), (410, "Expired", 410), "old continue token")
    check(body["message"].startswith("The provided continue parameter is too old"), "message")
    status, rest = get("/api/v1/namespaces?limit=500&continue=" + body["metadata"]["continue"])
    eq(status, 200, "inconsistent continuation token from the 410 works")
    check(rest["items"][0]["metadata"]["name"] > page["items"][-1]["metadata"]["name"], "order")
    eq(rest["metadata"]["resourceVersion"], res["resourceVersion"], "new RV range")


@test
def drop_watch_mid_event_truncates_the_line_then_eof():
    w = RawWatch("/api/v1/namespaces?watch=1&resourceVersion=%d" % current_rv())
    admin("/fault", {"drop_watch_mid_event": True})
    apply(ns_obj("dropped"))
    eq(w.line(), None, "no complete line")
    check(w.eof and not w.terminated, "EOF without terminating chunk")
    check(w.buf.startswith(b'{"type":"ADDED"') and len(w.buf) > 10, "half a line: %r" % w.buf)
    w.close()
    eq(state()["faults"]["drop_watch_mid_event"], False, "one-shot fault consumed")
    w = RawWatch("/api/v1/namespaces?watch=1&resourceVersion=%d&timeoutSeconds=1" % (
        current_rv() - 1))
    eq([e["object"]["metadata"]["name"] for e in w.events_until_end()], ["dropped"], "next ok")
    w.close()


@test
def slow_ms_delays_api_responses():
    admin("/fault", {"slow_ms": 400})
    start = time.monotonic()
    eq(request("GET", "/api/v1/namespaces")[0], 200, "slow list")
    check(time.monotonic() - start >= 0.4, "delayed by >= 400ms")
    admin("/fault", {"clear": True})
    start = time.monotonic()
    request("GET", "/api/v1/namespaces")
    check(time.monotonic() - start < 0.4, "fast again after clear")


@test
def garbage_is_one_non_json_response_or_watch_line():
    admin("/fault", {"garbage": True})
    status, _, data = request("GET", "/api/v1/namespaces")
    eq(status, 200, "garbage status")
    try:
        json.loads(data)
        raise AssertionError("body parsed as JSON: %r" % data)
    except ValueError:
        pass
    eq(get("/api/v1/namespaces")[0], 200, "next response is JSON again")
    admin("/fault", {"garbage": True})
    w = RawWatch("/api/v1/namespaces?watch=1&resourceVersion=%d&timeoutSeconds=2" % current_rv())
    line = w.line()
    try:
        json.loads(line)
        raise AssertionError("watch line parsed as JSON: %r" % line)
    except ValueError:
        pass
    w.close()


@test
def status_fault_returns_status_count_times():
    admin("/fault", {"status": 500, "count": 2})
    for i in range(2):
        status, body = get("/api/v1/namespaces")
        eq((status, body["kind"], body["reason"], body["code"]),
           (500, "Status", "InternalError", 500), "fault response %d" % i)
    eq(get("/api/v1/namespaces")[0], 200, "third request succeeds")
    admin("/fault", {"status": 429})
    status, hdrs, data = request("GET", "/api/v1/namespaces")
    eq((status, hdrs["Retry-After"], json.loads(data)["reason"]), (429, "1", "TooManyRequests"),
       "429 fault")
    eq(request("GET", "/api/v1/namespaces")[0], 200, "count defaults to 1")


@test
def bulk_10000_serviceaccounts_then_paginated_list_returns_all():
    before = current_rv()
    for i in range(10):
        apply(ns_obj("bulk-%d" % i))
    objs = [sa_obj("bulk-%d" % (i % 10), "sa-%05d" % i) for i in range(10000)]
    start = time.monotonic()
    res = admin("/bulk", {"objects": objs})
    took = time.monotonic() - start
    eq(res["count"], 10000, "bulk count")
    eq(int(res["resourceVersion"]), before + 10 + 10000, "one RV bump per object")
    check(took < 10, "bulk load took %.1fs" % took)
    seen, pages, rvs, cont = [], 0, set(), ""
    start = time.monotonic()
    while True:
        status, page = get("/api/v1/serviceaccounts?limit=500" + (
            "&continue=" + cont if cont else ""))
        eq(status, 200, "page %d" % pages)
        check(len(page["items"]) <= 500, "page size")
        pages += 1
        rvs.add(page["metadata"]["resourceVersion"])
        seen += [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in page["items"]]
        cont = page["metadata"].get("continue")
        if not cont:
            break
    bulk = {k for k in seen if k[0].startswith("bulk-")}
    eq(len(bulk), 10000, "bulk SAs listed")
    eq(len(seen), len(set(seen)), "no duplicates")
    eq(rvs, {res["resourceVersion"]}, "one snapshot RV across pages")
    check(pages >= 20, "paginated in %d pages" % pages)
    print("    bulk load %.2fs, %d pages listed in %.2fs" % (took, pages,
                                                         time.monotonic() - start))
    w = RawWatch("/api/v1/serviceaccounts?watch=1&resourceVersion=%d" % before,
                 expect_watchers=False)
    ev = w.event()
    eq((ev["type"], ev["object"]["code"], ev["object"]["reason"]), ("ERROR", 410, "Expired"),
       "watch from before the 1000-event history window")
    w.close()
    status, hdrs, data = request("GET", "/api/v1/serviceaccounts",
                                 headers={"Accept-Encoding": "gzip"})
    eq((status, hdrs.get("Content-Encoding")), (200, "gzip"), "large responses are gzipped")
    check(len(json.loads(gzip.decompress(data))["items"]) >= 10000, "gzip body")


def main():
    global FAKE
    tmp = tempfile.mkdtemp(prefix="fakeapi-test-")
    passed = failed = 0
    try:
        FAKE = FakeProcess(tmp)
        for fn in TESTS:
            try:
                fn()
                passed += 1
                print("ok   %s" % fn.__name__, flush=True)
            except Exception:
                failed += 1
                print("FAIL %s\n%s" % (fn.__name__, traceback.format_exc()), flush=True)
                if FAKE.proc.poll() is not None:
                    print("fake apiserver exited with %s; stopping" % FAKE.proc.returncode)
                    failed += len(TESTS) - passed - failed
                    break
                admin("/fault", {"clear": True})
    except Exception:
        failed += 1
        print("FAIL setup\n%s" % traceback.format_exc())
    finally:
        if FAKE is not None:
            FAKE.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
