#!/usr/bin/env python3
"""Fake kube-apiserver for sparkhook's Namespace/ServiceAccount list+watch cache.

python3 stdlib only; HTTPS + HTTP/1.1 on 127.0.0.1. Mirrors a real kube-apiserver's
wire formats (lists, continue tokens, watch streams, metav1.Status errors) closely
enough to test a reflector-style client, plus a test-only admin API under /_admin.
See README.md next to this file.

  fake_apiserver.py --cert tls.crt --key tls.key --token-file tokens [--port 0]
"""
import argparse
import base64
import binascii
import collections
import gzip
import json
import posixpath
import select
import socket
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

KINDS = {"Namespace": "namespaces", "ServiceAccount": "serviceaccounts"}  # kind -> resource
NAMESPACED = {"ServiceAccount"}
GZIP_MIN_BYTES = 128 * 1024  # kube-apiserver gzips responses >= 128 KiB if the client asks
RESTART_RV_JUMP = 1_000_000
GO_TRUE = {"1", "t", "T", "true", "TRUE", "True"}  # strconv.ParseBool
REASONS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
           405: "MethodNotAllowed", 409: "Conflict", 410: "Expired", 422: "Invalid",
           429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable",
           504: "Timeout"}
CONTINUE_EXPIRED = (
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted between "
    "the time the first chunk was returned and now may show up in the list.")


def dumps(obj):
    """Compact JSON, like Go's encoding/json."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def status_obj(code, message, details=None, metadata=None):
    """A metav1.Status failure, fields in Go struct order."""
    st = {"kind": "Status", "apiVersion": "v1", "metadata": metadata or {},
          "status": "Failure", "message": message, "reason": REASONS.get(code, "")}
    if details is not None:
        st["details"] = details
    st["code"] = code
    return st


UNAUTHORIZED = status_obj(401, "Unauthorized")


class ApiError(Exception):
    def __init__(self, code, message, details=None, metadata=None, headers=()):
        super().__init__(message)
        self.code, self.headers = code, headers
        self.status = status_obj(code, message, details=details, metadata=metadata)


def bad_request(message):
    return ApiError(400, message)


def event_line(etype, obj):
    return dumps({"type": etype, "object": obj}) + b"\n"


def storage_key(kind, ns, name):
    if kind in NAMESPACED:
        return "/registry/%s/%s/%s" % (KINDS[kind], ns, name)
    return "/registry/%s/%s" % (KINDS[kind], name)


def parse_rv(value):
    if not value.isdigit():
        raise bad_request('invalid resource version: strconv.ParseUint: parsing "%s": '
                          "invalid syntax" % value)
    return int(value)


def raw_shutdown(conn):
    """Cut the TCP connection under a TLS socket: no close_notify, no HTTP framing."""
    try:
        socket.socket.shutdown(conn, socket.SHUT_RDWR)
    except (OSError, ValueError):
        pass


class ObjectBuilder:
    """Turns an admin-supplied object into what the apiserver would store and serve."""

    META_ORDER = ("name", "generateName", "namespace", "selfLink", "uid", "resourceVersion",
                  "generation", "creationTimestamp", "deletionTimestamp",
                  "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences",
                  "finalizers", "managedFields")  # Go ObjectMeta field order

    @staticmethod
    def identity(obj):
        if not isinstance(obj, dict):
            raise ValueError("object must be a JSON object")
        kind, md = obj.get("kind"), obj.get("metadata")
        if kind not in KINDS:
            raise ValueError("kind must be one of %s, got %r" % (sorted(KINDS), kind))
        if not isinstance(md, dict) or not isinstance(md.get("name"), str) or not md["name"]:
            raise ValueError("metadata.name is required")
        ns = (md.get("namespace") or "default") if kind in NAMESPACED else None
        return kind, ns, md["name"]

    @classmethod
    def build(cls, obj, kind, ns, name, old):
        src = dict(obj["metadata"], name=name, namespace=ns, resourceVersion="0")
        if old is not None:  # uid and creationTimestamp are immutable
            src["uid"] = old["metadata"]["uid"]
            src["creationTimestamp"] = old["metadata"]["creationTimestamp"]
        src.setdefault("uid", str(uuid.uuid4()))
        src.setdefault("creationTimestamp", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        if kind == "Namespace":  # set by the NamespaceDefaultLabelName admission
            src["labels"] = dict(src.get("labels") or {}, **{"kubernetes.io/metadata.name": name})
        order = list(cls.META_ORDER) + [k for k in src if k not in cls.META_ORDER]
        md = {k: src[k] for k in order if src.get(k) not in (None, {}, [])}  # omitempty
        out = {"kind": kind, "apiVersion": "v1", "metadata": md}
        out.update((k, v) for k, v in obj.items() if k not in ("kind", "apiVersion", "metadata"))
        if kind == "Namespace":
            out.setdefault("spec", {"finalizers": ["kubernetes"]})
            out.setdefault("status", {"phase": "Active"})
        return out

    @staticmethod
    def with_rv(obj, rv):
        return dict(obj, metadata=dict(obj["metadata"], resourceVersion=str(rv)))

    @staticmethod
    def bookmark(kind, rv):
        obj = {"kind": kind, "apiVersion": "v1",
               "metadata": {"resourceVersion": str(rv), "creationTimestamp": None}}
        if kind == "Namespace":  # Go zero values of the typed object
            obj.update(spec={}, status={})
        return obj


class Event:
    """One change in the store; its JSON line is built once and shared by watchers."""
    __slots__ = ("rv", "type", "key", "obj", "prev", "_line")

    def __init__(self, rv, etype, key, obj, prev):
        self.rv, self.type, self.key, self.obj, self.prev = rv, etype, key, obj, prev
        self._line = None

    def line(self):
        if self._line is None:
            self._line = event_line(self.type, self.obj)
        return self._line


class Store:
    """Objects, the global resourceVersion, a bounded event history and live watchers.
    Stored object dicts are never mutated, so they are shared outside the lock."""

    def __init__(self, history_size, start_rv):
        self.cond = threading.Condition()
        self.rv = start_rv
        self.window_start = start_rv  # history holds every event with rv > window_start
        self.objects = {}  # storage key -> object
        self.history = collections.deque(maxlen=max(1, history_size))
        self.watchers = set()

    def apply(self, obj):
        ident = ObjectBuilder.identity(obj)
        with self.cond:
            ev, stored = self._apply_locked(obj, ident)
            self.cond.notify_all()
        return (ev.type if ev else "UNCHANGED"), stored

    def bulk(self, objs):
        idents = [ObjectBuilder.identity(o) for o in objs]  # validate everything first
        with self.cond:
            for obj, ident in zip(objs, idents):
                self._apply_locked(obj, ident)
            self.cond.notify_all()
            return self.rv

    def delete(self, kind, ns, name):
        with self.cond:
            key = storage_key(kind, ns, name)
            if key not in self.objects:
                return None
            if kind == "Namespace":  # the namespace controller empties it first
                prefix = storage_key("ServiceAccount", name, "")
                for k in sorted(k for k in self.objects if k.startswith(prefix)):
                    self._delete_locked(k)
            gone = self._delete_locked(key)
            self.cond.notify_all()
            return gone

    def restart(self):
        """Forget history and jump the RV so every older RV and continue token expires."""
        with self.cond:
            self.rv += RESTART_RV_JUMP
            self.window_start = self.rv
            self.history.clear()
            dropped, self.watchers = self.watchers, set()
            for w in dropped:
                w.killed = True
            self.cond.notify_all()
            return self.rv, len(dropped)

    def _apply_locked(self, obj, ident):
        key = storage_key(*ident)
        old = self.objects.get(key)
        new = ObjectBuilder.build(obj, *ident, old)
        if old is not None and ObjectBuilder.with_rv(old, 0) == new:
            return None, old  # no-op update: no new resourceVersion, no event
        self.rv += 1
        new["metadata"]["resourceVersion"] = str(self.rv)
        self.objects[key] = new
        ev = Event(self.rv, "MODIFIED" if old else "ADDED", key, new, old)
        self._emit_locked(ev)
        return ev, new

    def _delete_locked(self, key):
        old = self.objects.pop(key)
        self.rv += 1
        gone = ObjectBuilder.with_rv(old, self.rv)  # as etcd reports it: at the delete revision
        self._emit_locked(Event(self.rv, "DELETED", key, gone, old))
        return gone

    def _emit_locked(self, ev):
        if len(self.history) == self.history.maxlen:
            self.window_start = self.history[0].rv
        self.history.append(ev)
        for w in self.watchers:
            w.offer(ev)

    def snapshot_locked(self, rv):
        """(objects, rv) as of resourceVersion rv (None: now), or None if compacted."""
        if rv is None or rv >= self.rv:
            return self.objects, self.rv
        if rv < self.window_start:
            return None
        objs = dict(self.objects)
        for ev in reversed(self.history):  # undo the newer events
            if ev.rv <= rv:
                break
            if ev.prev is None:
                objs.pop(ev.key, None)
            else:
                objs[ev.key] = ev.prev
        return objs, rv

    def start_watch(self, watcher, rv_param):
        """Register a watcher, or return the 410 Status if rv_param is too old."""
        with self.cond:
            if rv_param in (None, "", "0"):  # current state as synthetic ADDED, then changes
                for key in sorted(self.objects):
                    watcher.offer_initial(self.objects[key])
                watcher.min_rv = self.rv
            else:
                rv = parse_rv(rv_param)
                if rv < self.window_start:
                    return status_obj(410, "too old resource version: %d (%d)"
                                      % (rv, self.window_start))
                watcher.min_rv = rv
                for ev in self.history:
                    watcher.offer(ev)
            self.watchers.add(watcher)
        return None

    def stop_watch(self, watcher):
        with self.cond:
            self.watchers.discard(watcher)


class Scope:
    """What one list/watch sees: a kind within its URL's namespace (and name)."""

    def __init__(self, kind, namespace=None, name=None):
        self.kind, self.namespace, self.name = kind, namespace, name

    def matches(self, obj):
        md = obj["metadata"]
        return (obj["kind"] == self.kind
                and self.namespace in (None, md.get("namespace"))
                and self.name in (None, md["name"]))


class Watcher:
    """One watch's view: store events filtered into a private queue."""

    def __init__(self, scope):
        self.scope = scope
        self.queue = collections.deque()  # (type, object, shared Event or None)
        self.min_rv = 0
        self.killed = False

    def offer_initial(self, obj):
        if self.scope.matches(obj):
            self.queue.append(("ADDED", obj, None))

    def offer(self, ev):
        if ev.rv > self.min_rv and self.scope.matches(ev.obj):
            self.queue.append((ev.type, ev.obj, ev))


class TokenAuth:
    """Bearer tokens from a file re-read on every request: one token per line, or
    kube-apiserver --token-auth-file CSV (token,user,uid,groups). # comments."""

    def __init__(self, path):
        self.path = path

    def tokens(self):
        try:
            with open(self.path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError:
            return set()
        return {ln.split(",")[0].strip() for ln in lines
                if ln.strip() and not ln.lstrip().startswith("#")}

    def check(self, header):
        parts = (header or "").strip().split(" ", 2)  # Go: strings.SplitN(auth, " ", 3)
        if len(parts) < 2 or parts[0].lower() != "bearer" or not parts[1]:
            return False
        return parts[1] in self.tokens()


class RequestLog:
    """Every API (non-admin) request, for tests to assert on."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = []

    def record(self, method, path, authorization, user_agent):
        entry = {"method": method, "path": path, "authorization": authorization,
                 "userAgent": user_agent, "time": time.time(), "status": None}
        with self.lock:
            self.entries.append(entry)
        return entry

    def snapshot(self):
        with self.lock:
            return [dict(e) for e in self.entries]

    def clear(self):
        with self.lock:
            self.entries.clear()


class Faults:
    """Failure injection for API (non-admin) requests."""

    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self):
        self.drop_watch_mid_event, self.garbage, self.pause_watches = False, False, False
        self.slow_ms, self.status, self.count = 0, 0, 0

    def update(self, spec):
        with self.lock:
            if spec.get("clear"):
                self.clear()
            for name, conv in (("drop_watch_mid_event", bool), ("garbage", bool),
                               ("slow_ms", int), ("pause_watches", bool)):
                if name in spec:
                    setattr(self, name, conv(spec[name]))
            if "status" in spec:
                self.status, self.count = int(spec["status"] or 0), int(spec.get("count", 1))
            elif "count" in spec:
                self.count = int(spec["count"])
            return self.describe()

    def describe(self):
        active = self.status and self.count > 0
        return {"drop_watch_mid_event": self.drop_watch_mid_event, "garbage": self.garbage,
                "pause_watches": self.pause_watches,
                "slow_ms": self.slow_ms, "status": self.status if active else 0,
                "count": self.count if active else 0}

    def take(self, name):
        """Consume one shot of 'status' (-> code or 0), 'garbage' or 'drop_watch_mid_event'."""
        with self.lock:
            if name == "status":
                if not self.status or self.count <= 0:
                    return 0
                self.count -= 1
                return self.status
            value = getattr(self, name)
            setattr(self, name, False)
            return value

    @staticmethod
    def status_response(code):
        message = "sparkhook fake apiserver: injected HTTP %d" % code
        details, headers = None, ()
        if code == 500:
            details = {"causes": [{"message": message}]}
            message = "Internal error occurred: " + message
        elif code in (429, 503, 504):
            details, headers = {"retryAfterSeconds": 1}, (("Retry-After", "1"),)
        return status_obj(code, message, details=details), headers


class ContinueToken:
    """storage.EncodeContinue/DecodeContinue: base64url(JSON {v, rv, start})."""

    @staticmethod
    def encode(key, prefix, rv):
        raw = dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": key[len(prefix):]})
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    @staticmethod
    def decode(token, prefix):
        try:
            c = json.loads(base64.b64decode(token + "=" * (-len(token) % 4), b"-_", validate=True))
            key = c["start"] if c["start"].startswith("/") else "/" + c["start"]
            if (c["v"] != "meta.k8s.io/v1" or type(c["rv"]) is not int or c["rv"] == 0
                    or not c["start"] or posixpath.normpath(key) != key):  # no path traversal
                raise ValueError("unrecognized token %s" % c)
            return prefix + key[1:], c["rv"]
        except (binascii.Error, ValueError, KeyError, TypeError, AttributeError) as e:
            raise bad_request("invalid continue token: continue key is not valid: %s"
                              % e) from None


class KubeApi:
    """/api/v1 requests: auth, faults, then GET, LIST or WATCH."""

    def __init__(self, server):
        self.server = server

    @staticmethod
    def route(path):
        """-> Scope for /api/v1/{namespaces,serviceaccounts}[...], else None."""
        p = [part for part in path.split("/") if part][2:] if path.startswith("/api/v1/") else []
        if p in (["namespaces"], ["serviceaccounts"]):
            return Scope("Namespace" if p[0] == "namespaces" else "ServiceAccount")
        if len(p) == 2 and p[0] == "namespaces":
            return Scope("Namespace", None, p[1])
        if len(p) in (3, 4) and p[0] == "namespaces" and p[2] == "serviceaccounts":
            return Scope("ServiceAccount", p[1], p[3] if len(p) == 4 else None)
        return None

    def handle(self, h, path, q):
        srv = self.server
        h.log_entry = srv.requests.record(h.command, h.path, h.headers.get("Authorization"),
                                          h.headers.get("User-Agent"))
        srv.track(h.connection)
        if srv.faults.slow_ms:
            time.sleep(srv.faults.slow_ms / 1000.0)
        if not srv.auth.check(h.headers.get("Authorization")):
            return h.send_json(401, UNAUTHORIZED)
        code = srv.faults.take("status")
        if code:
            return h.send_json(code, *Faults.status_response(code))
        scope = self.route(path)
        watch = scope is not None and q.get("watch") in GO_TRUE
        garbage = srv.faults.take("garbage")
        if garbage and not watch:
            return h.send_body(200, b"<html>this is not JSON {{{\n")
        try:
            if scope is None:
                raise ApiError(404, "the server could not find the requested resource", details={})
            if h.command not in ("GET", "HEAD"):
                raise ApiError(405, "the server does not allow this method on the requested "
                               "resource", details={})
            unsupported = {"fieldSelector", "labelSelector"} & {k for k, v in q.items() if v}
            if unsupported:
                raise bad_request("the fake apiserver does not support %s" % sorted(unsupported))
            if watch:
                return self.watch(h, scope, q, garbage)
            if scope.name is not None:
                return h.send_json(200, self.get(scope))
            return h.send_json(200, self.list(scope, q))
        except ApiError as e:
            return h.send_json(e.code, e.status, e.headers)

    def get(self, scope):
        with self.server.store.cond:
            obj = self.server.store.objects.get(storage_key(scope.kind, scope.namespace,
                                                            scope.name))
        if obj is None:
            resource = KINDS[scope.kind]
            raise ApiError(404, '%s "%s" not found' % (resource, scope.name),
                           details={"name": scope.name, "kind": resource})
        return obj

    def list(self, scope, q):
        """resourceVersion semantics of a cached kube-apiserver (1.27-1.30):
        RV unset: latest (paged from etcd with limit); RV=0: watch cache, limit
        ignored; RV=N: not older than N, or exactly N when limit/Exact is given;
        continue: exactly the first page's RV, 410 once that is compacted."""
        store = self.server.store
        prefix = "/registry/%s/" % KINDS[scope.kind]
        prefix += scope.namespace + "/" if scope.namespace else ""
        limit, cont = q.get("limit") or "0", q.get("continue")
        rv_param = q.get("resourceVersion", "")
        if not limit.lstrip("-").isdigit():
            raise bad_request("invalid limit: %r" % limit)
        limit, start, snap_rv = max(0, int(limit)), prefix, None  # snap_rv None: latest
        if cont:
            if rv_param not in ("", "0"):
                raise bad_request("specifying resource version is not allowed when using continue")
            start, token_rv = ContinueToken.decode(cont, prefix)
            snap_rv = None if token_rv < 0 else token_rv  # -1: inconsistent continuation
        elif rv_param == "0":
            limit = 0
        elif rv_param and (limit or q.get("resourceVersionMatch") == "Exact"):
            snap_rv = parse_rv(rv_param)
        elif rv_param:
            parse_rv(rv_param)  # served from the watch cache: not older than rv_param
        with store.cond:
            snap = store.snapshot_locked(snap_rv)
            if snap is None and cont:
                raise ApiError(410, CONTINUE_EXPIRED,
                               metadata={"continue": ContinueToken.encode(start, prefix, -1)})
            if snap is None:
                raise ApiError(410, "The resourceVersion for the provided list is too old.")
            objs, list_rv = snap
            keys = sorted(k for k in objs if k.startswith(prefix) and k >= start)
            matched = [(k, objs[k]) for k in keys if scope.matches(objs[k])]
        meta = {"resourceVersion": str(list_rv)}
        if limit and len(matched) > limit:
            next_key = matched[limit - 1][0] + "\x00"
            meta["continue"] = ContinueToken.encode(next_key, prefix, list_rv)
            meta["remainingItemCount"] = len(matched) - limit
            matched = matched[:limit]
        items = [{k: v for k, v in o.items() if k not in ("kind", "apiVersion")}
                 for _, o in matched]  # items of a typed list carry no kind/apiVersion
        return {"kind": scope.kind + "List", "apiVersion": "v1", "metadata": meta, "items": items}

    def watch(self, h, scope, q, garbage):
        if q.get("sendInitialEvents") in GO_TRUE:
            raise bad_request("sendInitialEvents=true (WatchList) is not supported by the fake")
        timeout = q.get("timeoutSeconds") or "0"
        if not timeout.isdigit():
            raise bad_request("invalid timeoutSeconds: %r" % timeout)
        watcher = Watcher(scope)
        error = self.server.store.start_watch(watcher, q.get("resourceVersion"))
        WatchStream(h, watcher, int(timeout) or self.server.default_watch_timeout,
                    q.get("allowWatchBookmarks") in GO_TRUE, garbage).run(error)


class WatchStream:
    """One watch response: chunked, one JSON event per line, each flushed at once."""

    LIVENESS_POLL = 0.2  # how often an idle stream checks for a client disconnect

    def __init__(self, handler, watcher, timeout, bookmarks, garbage):
        self.h, self.w, self.server = handler, watcher, handler.server
        self.timeout, self.bookmarks, self.garbage = timeout, bookmarks, garbage

    def chunk(self, data):
        self.h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def abort(self):
        self.h.close_connection = True
        raw_shutdown(self.h.connection)

    def run(self, error):
        h, store = self.h, self.server.store
        try:
            h.log_entry["status"] = 200
            h.send_response(200)
            h.send_common_headers("application/json")
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            if self.garbage:
                self.chunk(b"this is not JSON {{{\n")
            if error is not None:  # like the cacher: one ERROR event, then a clean end
                self.chunk(event_line("ERROR", error))
                return self.chunk(b"")
            self.loop(store)
        except (OSError, ValueError):  # client went away or the connection was cut
            self.abort()
        finally:
            store.stop_watch(self.w)

    def loop(self, store):
        interval = self.server.bookmark_interval
        now = time.monotonic()
        end = now + self.timeout
        next_bookmark = now + interval if self.bookmarks else float("inf")
        while True:
            with store.cond:
                if (self.server.faults.pause_watches or not self.w.queue) and not self.w.killed:
                    wake = min(end, next_bookmark, now + self.LIVENESS_POLL)
                    store.cond.wait(max(0.0, wake - time.monotonic()))
                paused = self.server.faults.pause_watches  # read after the wait
                killed = self.w.killed
                batch = [] if paused else list(self.w.queue)
                if not paused:
                    self.w.queue.clear()
                now = time.monotonic()
                # queue drained under the lock: every event <= store.rv has been sent
                # (while paused nothing is drained, so no bookmark may pass the held events)
                bookmark_rv = (store.rv if (not paused and not batch and now >= next_bookmark)
                               else None)
            if killed:
                return self.abort()  # apiserver restart: no terminating chunk
            for etype, obj, shared in batch:
                line = shared.line() if shared is not None else event_line(etype, obj)
                if self.server.faults.take("drop_watch_mid_event"):
                    self.h.wfile.write(b"%x\r\n" % len(line) + line[:len(line) // 2])
                    return self.abort()
                self.chunk(line)
            if bookmark_rv is not None:
                kind = self.w.scope.kind
                self.chunk(event_line("BOOKMARK", ObjectBuilder.bookmark(kind, bookmark_rv)))
                next_bookmark = now + interval
            if now >= end:
                return self.chunk(b"")  # timeoutSeconds: terminating zero-length chunk
            if self.client_gone():
                return self.abort()

    def client_gone(self):
        conn = self.h.connection
        if not select.select([conn], [], [], 0)[0] and not conn.pending():
            return False
        conn.settimeout(0.0)
        try:
            data = conn.recv(4096)
        except ssl.SSLWantReadError:  # a TLS record without application data
            return False
        except (OSError, ValueError):
            return True
        finally:
            conn.settimeout(None)
        if data:  # bytes mid-watch (pipelining): serve nothing more on this connection
            self.h.close_connection = True
        return not data


class AdminApi:
    """Test-only control plane under /_admin: no authentication, not logged."""

    def __init__(self, server):
        self.server = server

    def handle(self, h, path, body):
        srv, store = self.server, self.server.store
        try:
            data = json.loads(body) if body.strip() else {}
            if not isinstance(data, dict):
                raise ValueError("body must be a JSON object")
            op = (h.command, path.rstrip("/"))
            if op == ("POST", "/_admin/apply"):
                etype, obj = store.apply(data.get("object"))
                return h.send_json(200, {"type": etype, "object": obj})
            if op == ("POST", "/_admin/bulk"):
                if not isinstance(data.get("objects"), list):
                    raise ValueError("objects must be a list")
                rv = store.bulk(data["objects"])
                return h.send_json(200, {"count": len(data["objects"]),
                                         "resourceVersion": str(rv)})
            if op == ("POST", "/_admin/delete"):
                kind = data.get("kind")
                if kind not in KINDS or not data.get("name"):
                    raise ValueError("need kind (Namespace|ServiceAccount) and name")
                ns = (data.get("namespace") or "default") if kind in NAMESPACED else None
                gone = store.delete(kind, ns, data["name"])
                if gone is None:
                    return h.send_json(404, {"error": "not found"})
                return h.send_json(200, {"type": "DELETED", "object": gone})
            if op == ("POST", "/_admin/restart"):
                rv, watches = store.restart()
                conns = srv.drop_api_connections(keep=h.connection)
                return h.send_json(200, {"resourceVersion": str(rv), "droppedWatches": watches,
                                         "droppedConnections": conns})
            if op == ("POST", "/_admin/fault"):
                return h.send_json(200, {"faults": srv.faults.update(data)})
            if op == ("GET", "/_admin/requests"):
                return h.send_json(200, srv.requests.snapshot())
            if op == ("DELETE", "/_admin/requests"):
                srv.requests.clear()
                return h.send_json(200, {})
            if op == ("GET", "/_admin/state"):
                with store.cond:
                    st = {"resourceVersion": str(store.rv), "windowStart": str(store.window_start),
                          "objects": len(store.objects), "history": len(store.history),
                          "watches": len(store.watchers)}
                return h.send_json(200, dict(st, faults=srv.faults.describe()))
            return h.send_json(404, {"error": "no admin endpoint %s %s" % op})
        except (ValueError, TypeError, KeyError) as e:
            return h.send_json(400, {"error": str(e)})


class Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 plumbing: TLS handshake, keep-alive, response framing, dispatch."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    log_entry = None

    def setup(self):
        self.request.settimeout(10)  # TLS handshake in this thread, not the accept loop
        self.request.do_handshake()
        self.request.settimeout(None)
        super().setup()

    def finish(self):
        self.server.untrack(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("fake-apiserver: %s\n" % (fmt % args))

    def send_response(self, code, message=None):  # like Go's net/http: Date, no Server
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def send_common_headers(self, ctype):
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", ctype)

    def send_body(self, code, body, ctype="application/json", headers=()):
        if self.log_entry is not None:
            self.log_entry["status"] = code
        gz = len(body) >= GZIP_MIN_BYTES and "gzip" in self.headers.get("Accept-Encoding", "")
        if gz:
            body = gzip.compress(body, 1)
            headers = tuple(headers) + (("Content-Encoding", "gzip"),)
        self.send_response(code)
        self.send_common_headers(ctype)
        for name, value in tuple(headers) + (("Content-Length", str(len(body))),):
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, code, obj, headers=()):
        self.send_body(code, dumps(obj), headers=headers)

    def dispatch(self):
        self.log_entry = None
        url = urlsplit(self.path)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True  # chunked request bodies are not supported
            body = b""
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path == "/_admin" or url.path.startswith("/_admin/"):
            return self.server.admin.handle(self, url.path, body)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        return self.server.api.handle(self, url.path, query)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = dispatch


class FakeApiServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, args, ssl_ctx):
        self.ssl_ctx = ssl_ctx
        self.store = Store(args.history, args.start_rv)
        self.auth = TokenAuth(args.token_file)
        self.requests = RequestLog()
        self.faults = Faults()
        self.api, self.admin = KubeApi(self), AdminApi(self)
        self.bookmark_interval = args.bookmark_interval
        self.default_watch_timeout = args.default_watch_timeout
        self.verbose = args.verbose
        self.conns_lock = threading.Lock()
        self.api_conns = set()  # connections that carried API requests
        super().__init__(("127.0.0.1", args.port), Handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        return self.ssl_ctx.wrap_socket(sock, server_side=True,
                                        do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        if self.verbose:
            sys.stderr.write("fake-apiserver: connection error: %r\n" % (sys.exc_info()[1],))

    def track(self, conn):
        with self.conns_lock:
            self.api_conns.add(conn)

    def untrack(self, conn):
        with self.conns_lock:
            self.api_conns.discard(conn)

    def drop_api_connections(self, keep):
        """A restart kills every API connection, idle keep-alive ones included."""
        with self.conns_lock:
            conns = [c for c in self.api_conns if c is not keep]
        for conn in conns:
            raw_shutdown(conn)
        return len(conns)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cert", required=True, help="serving certificate (PEM)")
    ap.add_argument("--key", required=True, help="serving key (PEM)")
    ap.add_argument("--token-file", required=True, help="valid bearer tokens, re-read per request")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--history", type=int, default=1000, help="watch event history size")
    ap.add_argument("--bookmark-interval", type=float, default=1.0, help="seconds")
    ap.add_argument("--default-watch-timeout", type=int, default=1800,
                    help="seconds, for watches without timeoutSeconds")
    ap.add_argument("--start-rv", type=int, default=100, help="initial resourceVersion")
    ap.add_argument("--verbose", action="store_true", help="log requests to stderr")
    args = ap.parse_args(argv)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    ctx.set_alpn_protocols(["http/1.1"])
    server = FakeApiServer(args, ctx)
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
