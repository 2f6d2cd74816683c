#!/usr/bin/python3
"""run_hostile.py SPARKHOOK_BINARY SOURCE_DIR SCRATCH_DIR

The hostile input catalogue: starts the real `sparkhook serve` (TLS, dev
certificates from certs/gen-dev-certs.sh, test/fixtures/objects.json, a small
config: 256 KiB body cap, 3 s connection timeout, JSON depth 100) and throws
malformed, oversized, slow and plain wrong requests at it. Each case expects a
precise outcome: an HTTP status (400/404/405/413/415, or 200 for well-formed
reviews that are not ours or are valid), or a connection closed within the
configured timeout plus a margin. After EVERY case a valid Spark driver review
must still be served normally (200, allowed, with a patch), and the server
process must be alive.

Prints "ok NAME" / "FAIL NAME: why" per case, then "N passed, N failed"; exits
non-zero when a case failed, the server died, or its stderr holds
"AddressSanitizer", "runtime error:", "LeakSanitizer" or "ThreadSanitizer"
(it is stopped with SIGTERM at the end so that LeakSanitizer runs, and must
exit 0). Python 3 standard library only. Set WH_SANITIZED=1 for a sanitizer
build (wider time margins: 4 s past the timeout instead of 3, 5 s instead of
2 for the request next to 2,000 idle connections), and
WH_HOSTILE_ONLY=REGEX to run only the cases whose name matches.
"""
import base64
import json
import os
import re
import resource
import select
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time

BIN, SRC, SCRATCH = sys.argv[1], sys.argv[2], sys.argv[3]
FIX = os.path.join(SRC, "test", "fixtures")
TIMEOUT = 3  # server.connectionTimeoutSeconds
CAP = 262144  # server.maxBodyBytes
SANITIZED = os.environ.get("WH_SANITIZED") == "1"
MARGIN = 4 if SANITIZED else 3  # seconds allowed past TIMEOUT
CONFIG = {"server": {"maxBodyBytes": CAP, "connectionTimeoutSeconds": TIMEOUT,
                     "maxJsonDepth": 100}}

VALID = json.load(open(os.path.join(FIX, "reviews", "spark-3.5-driver.json")))
VALID_UID = VALID["request"]["uid"]


def dump(doc):
    return json.dumps(doc, separators=(",", ":")).encode()


VALID_BODY = dump(VALID)


def variant(path, value):
    """A copy of the valid review with the value at path replaced."""
    doc = json.loads(VALID_BODY)
    cur = doc
    for k in path[:-1]:
        cur = cur[k]
    cur[path[-1]] = value
    return doc


OBJ = ["request", "object"]
META = OBJ + ["metadata"]
SPEC = OBJ + ["spec"]
CTR0 = SPEC + ["containers", 0]


# ---- the server -------------------------------------------------------------

class Server:
    def __init__(self):
        os.makedirs(SCRATCH, exist_ok=True)
        self.certs = os.path.join(SCRATCH, "certs")
        subprocess.run(["sh", os.path.join(SRC, "certs", "gen-dev-certs.sh"), self.certs],
                       check=True)
        cfg = os.path.join(SCRATCH, "hostile-config.json")
        with open(cfg, "w") as f:
            json.dump(CONFIG, f)
        self.log = os.path.join(SCRATCH, "hostile-serve.log")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--listen", "127.0.0.1:0", "--probe-listen", "127.0.0.1:0",
             "--tls-cert", self.certs + "/tls.crt", "--tls-key", self.certs + "/tls.key",
             "--objects", os.path.join(FIX, "objects.json"), "--config", cfg],
            stdout=subprocess.DEVNULL, stderr=open(self.log, "w"))
        for _ in range(1000):
            text = open(self.log).read()
            web = re.search(r"serving https on \S+ \(port (\d+)\)", text)
            probe = re.search(r"serving probes on http \S+ \(port (\d+)\)", text)
            if web and probe:
                self.port, self.probe = int(web.group(1)), int(probe.group(1))
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise SystemExit("server did not start:\n" + open(self.log).read())

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        return rc, open(self.log, errors="replace").read()


SRV = None
CTX = None
LAST = {}  # client-side notes of the current case, for failure messages


def last_note():
    return "(%s)" % "; ".join("%s" % v for v in LAST.values()) if LAST else ""


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 8192 if hard == resource.RLIM_INFINITY else min(hard, 8192)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# ---- a small HTTP/1.1 client over raw sockets -------------------------------

class Closed(Exception):
    pass


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body.decode("utf-8", "replace"))


class Conn:
    """One connection, TLS (default) or plain TCP, with a read buffer."""

    def __init__(self, tls=True, port=None, timeout=10, rcvbuf=0):
        if rcvbuf:  # a small receive window, set before the handshake fixes it
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            self.sock.settimeout(timeout)
            self.sock.connect(("127.0.0.1", port or SRV.port))
        else:
            self.sock = socket.create_connection(("127.0.0.1", port or SRV.port),
                                                 timeout=timeout)
        if tls:
            self.sock = CTX.wrap_socket(self.sock, server_hostname="localhost")
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def try_send(self, data):
        """Sends, ignoring a server that stopped reading (it may have answered);
        the error is kept in LAST["send"] for the failure message."""
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError) as e:
            LAST["send"] = "send failed after the server stopped reading: %r" % e
            return False

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("deadline")
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError, ssl.SSLEOFError, ssl.SSLZeroReturnError):
            data = b""
        except ssl.SSLError as e:
            if "timed out" in str(e):
                raise socket.timeout("deadline")
            data = b""
        if not data:
            raise Closed()
        self.buf += data

    def _take(self, n, deadline):
        while len(self.buf) < n:
            self._fill(deadline)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _line(self, deadline):
        while b"\r\n" not in self.buf:
            self._fill(deadline)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def response(self, timeout=10, head=False, interim=False):
        """Reads one response; None when the connection closed first. With
        interim, a 1xx response is returned instead of skipped."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                while b"\r\n\r\n" not in self.buf:
                    self._fill(deadline)
                top, self.buf = self.buf.split(b"\r\n\r\n", 1)
                lines = top.decode("latin-1").split("\r\n")
                m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
                if not m:
                    raise ValueError("not an HTTP response: %r" % lines[0][:80])
                status = int(m.group(1))
                headers = {}
                for h in lines[1:]:
                    k, _, v = h.partition(":")
                    headers[k.strip().lower()] = v.strip()
                if 100 <= status < 200:
                    if interim:
                        return Response(status, headers, b"")
                    continue
                break
            if head or status in (204, 304):
                body = b""
            elif "chunked" in headers.get("transfer-encoding", "").lower():
                body = b""
                while True:
                    size = int(self._line(deadline).split(b";")[0], 16)
                    if size == 0:
                        self._line(deadline)
                        break
                    body += self._take(size, deadline)
                    self._line(deadline)
            elif "content-length" in headers:
                body = self._take(int(headers["content-length"]), deadline)
            else:
                try:
                    while True:
                        self._fill(deadline)
                except Closed:
                    pass
                body, self.buf = self.buf, b""
            return Response(status, headers, body)
        except Closed:
            return None

    def closed_within(self, secs):
        """Seconds until the peer closed the connection (data it sends first
        is discarded), or None if it is still open after secs."""
        start = time.monotonic()
        deadline = start + secs
        try:
            while True:
                self._fill(deadline)
                self.buf = b""
        except Closed:
            return time.monotonic() - start
        except socket.timeout:
            return None

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def http(method="POST", path="/mutate", body=b"", headers=None, version="HTTP/1.1"):
    """Request bytes; headers map to None are left out."""
    h = {"Host": "localhost:%d" % SRV.port, "Content-Type": "application/json",
         "Content-Length": str(len(body))}
    h.update(headers or {})
    lines = ["%s %s %s" % (method, path, version)]
    lines += ["%s: %s" % (k, v) for k, v in h.items() if v is not None]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def roundtrip(data, timeout=15, head=False, tls=True):
    c = Conn(tls=tls)
    t = time.monotonic()
    try:
        c.try_send(data)
        resp = c.response(timeout=timeout, head=head)
        if resp is None:
            LAST["closed"] = "closed after %.1fs" % (time.monotonic() - t)
        return resp
    finally:
        c.close()


def post(body, **kw):
    return roundtrip(http(body=body, **kw))


# ---- expectations -------------------------------------------------------------

def review_of(resp):
    """The AdmissionReview a webhook answer carries, or raises."""
    doc = resp.json()
    if doc.get("kind") != "AdmissionReview" or not isinstance(doc.get("response"), dict):
        raise ValueError("not an AdmissionReview: %.200r" % resp.body)
    return doc


def patched(resp, uid=VALID_UID, version="admission.k8s.io/v1"):
    """(ok, why) for a 200 allowed answer with a JSON patch and the uid echoed."""
    if resp is None:
        return False, "connection closed without a response " + last_note()
    if resp.status != 200:
        return False, "HTTP %d: %.300r" % (resp.status, resp.body)
    doc = review_of(resp)
    r = doc["response"]
    if doc.get("apiVersion") != version:
        return False, "apiVersion %r, want %r" % (doc.get("apiVersion"), version)
    if r.get("uid") != uid or r.get("allowed") is not True:
        return False, "uid/allowed wrong: %.300r" % resp.body
    if r.get("patchType") != "JSONPatch" or "patch" not in r:
        return False, "no patch: %.300r" % resp.body
    ops = json.loads(base64.b64decode(r["patch"]))
    if not ops or any(op.get("op") != "add" for op in ops):
        return False, "bad patch %r" % ops
    return True, ""


def status_in(resp, allowed, closed_ok=False, want_review=True):
    """(ok, why): the status is one of allowed (or the connection closed, when
    closed_ok). A webhook refusal must be a JSON AdmissionReview."""
    if resp is None:
        return (True, "") if closed_ok else (False, "closed without a response " + last_note())
    if resp.status not in allowed:
        return False, "HTTP %d, want %s: %.300r" % (resp.status, allowed, resp.body)
    if want_review and resp.status in (400, 404, 405, 413, 415, 500) and \
            resp.headers.get("content-type", "").startswith("application/json"):
        doc = review_of(resp)
        if doc["response"].get("allowed") is not False:
            return False, "refusal with allowed != false: %.300r" % resp.body
    return True, ""


def not_patched_200(resp):
    ok, why = status_in(resp, (200,))
    if not ok:
        return ok, why
    r = review_of(resp)["response"]
    if "patch" in r:
        return False, "patched: %r" % base64.b64decode(r["patch"])[:300]
    return True, ""


def not_patched_200_or_400(resp):
    if resp is not None and resp.status == 400:
        return True, ""
    return not_patched_200(resp)


def baseline():
    """The valid Spark review is served normally."""
    if not SRV.alive():
        return False, "server process died (exit %s)" % SRV.proc.poll()
    try:
        return patched(post(VALID_BODY))
    except Exception as e:  # noqa: BLE001 - report any client-side failure
        return False, "valid review failed: %r" % e


# ---- the catalogue -----------------------------------------------------------

CASES = []


def case(name):
    def reg(fn):
        CASES.append((name, fn))
        return fn
    return reg


def expect_status(name, body, allowed, **kw):
    case(name)(lambda: status_in(post(body, **kw), allowed))


# Malformed JSON ------------------------------------------------------------

@case("json-truncated-at-many-points")
def _():
    n = len(VALID_BODY)
    for cut in sorted({0, 1, 2, 10, 37, 100, 500, 1000, n // 3, n // 2, 2 * n // 3, n - 100,
                       n - 10, n - 2, n - 1}):
        ok, why = status_in(post(VALID_BODY[:cut]), (400,))
        if not ok:
            return False, "cut at %d of %d: %s" % (cut, n, why)
    return True, ""


expect_status("json-trailing-garbage", VALID_BODY + b"}x", (400,))
case("json-trailing-whitespace-is-fine")(lambda: patched(post(VALID_BODY + b" \r\n\t\n")))
expect_status("json-nul-byte", VALID_BODY.replace(b'"spark-role"', b'"spark\x00-role"', 1),
              (400,))
expect_status("json-invalid-utf8-in-value",
              VALID_BODY.replace(b'"alice@example.com"', b'"\xff\xfe\xc3("', 1), (200, 400))
expect_status("json-lone-surrogate-escape",
              VALID_BODY.replace(b'"alice@example.com"', b'"\\ud800"', 1), (200, 400))
expect_status("json-duplicate-keys",
              VALID_BODY.replace(b'"uid":', b'"uid":"dup","uid":', 1), (200, 400))
expect_status("json-huge-number",
              dump(variant(SPEC + ["priority"], 0)).replace(b'"priority":0', b'"priority":1e999'),
              (200, 400))
case("json-negative-zero")(lambda: patched(post(
    dump(variant(SPEC + ["priority"], 0)).replace(b'"priority":0', b'"priority":-0'))))
case("json-long-string-200k")(lambda: patched(post(
    dump(variant(META + ["annotations"], {"example.com/big": "x" * 200000})))))


def nested(total):
    """The valid review nested `total` levels deep in all: the review, request,
    object and spec objects are 4 levels, the rest are arrays under spec.x."""
    k = total - 4
    return dump(variant(SPEC + ["x"], 0)).replace(b'"x":0', b'"x":' + b"[" * k + b"]" * k)


case("json-nesting-100-levels-ok")(lambda: patched(post(nested(100))))
expect_status("json-nesting-101-levels", nested(101), (400,))
expect_status("json-nesting-10000-levels", nested(10000), (400,))
expect_status("json-100k-containers",
              dump(variant(SPEC + ["containers"], 0)).replace(
                  b'"containers":0', b'"containers":[' + b",".join([b"0"] * 100000) + b"]"),
              (400,))
expect_status("json-100k-env-entries",
              dump(variant(CTR0 + ["env"], 0)).replace(
                  b'"env":0', b'"env":[' + b",".join([b"1"] * 100000) + b"]"),
              (400,))


@case("json-9000-valid-env-entries-fast")
def _():
    env = [{"name": "E%d" % i, "value": ""} for i in range(9000)]
    body = dump(variant(CTR0 + ["env"], env))
    if len(body) > CAP:
        return False, "test body too big (%d)" % len(body)
    t = time.monotonic()
    ok, why = patched(post(body))
    dt = time.monotonic() - t
    if ok and dt > (10 if SANITIZED else 2):
        return False, "took %.1fs" % dt
    return ok, why


# Wrong types at every level ---------------------------------------------------

WRONG = [
    ("request-string", ["request"], "x", (400,)),
    ("uid-number", ["request", "uid"], 7, (400,)),
    ("kind-array", ["request", "kind"], [], (400,)),
    ("object-string", OBJ, "pod", (400,)),
    ("metadata-list", META, [], (400,)),
    ("labels-list", META + ["labels"], ["spark-role"], (400,)),
    ("containers-object", SPEC + ["containers"], {}, (400,)),
    ("container-string", CTR0, "c", (400,)),
    ("env-object", CTR0 + ["env"], {}, (400,)),
    ("env-entry-number", CTR0 + ["env", 0], 5, (400,)),
    ("volumemounts-string", CTR0 + ["volumeMounts"], "m", (400,)),
    ("volumes-string", SPEC + ["volumes"], "v", (400,)),
    ("serviceaccountname-number", SPEC + ["serviceAccountName"], 3, (400,)),
    ("userinfo-string", ["request", "userInfo"], "u", (400,)),
    ("apiversion-number", ["apiVersion"], 1, (400,)),
]
for _n, _p, _v, _want in WRONG:
    expect_status("type-" + _n, dump(variant(_p, _v)), _want)
expect_status("type-annotation-values-numbers",
              dump(variant(META + ["annotations"], {"a": 1, "eks.amazonaws.com/role-arn": 2})),
              (200, 400))

# Escapes and unicode in keys ---------------------------------------------------

case("key-spark-role-unicode-escaped-counts")(lambda: patched(post(
    VALID_BODY.replace(b'"spark-role"', b'"\\u0073park-\\u0072\\u006Fle"'))))
case("key-annotations-with-slash-and-tilde")(lambda: patched(post(dump(variant(
    META + ["annotations"], {"example.com/x~y": "1", "~1": "2", "/": "3", "~0~": "4"})))))
case("key-label-with-embedded-nul-is-not-spark-role")(lambda: not_patched_200_or_400(
    post(VALID_BODY.replace(b'"spark-role"', b'"spark-role\\u0000x"'))))
case("value-homoglyph-driver-not-spark")(lambda: not_patched_200(post(
    VALID_BODY.replace(b'"spark-role":"driver"', '"spark-role":"dr\u0456ver"'.encode()))))


# Envelope -----------------------------------------------------------------------

expect_status("empty-body", b"", (400,))
expect_status("body-null", b"null", (400,))
expect_status("body-array", b"[]", (400,))
expect_status("kind-not-admissionreview", dump(variant(["kind"], "Pod")), (400,))
expect_status("apiversion-unknown", dump(variant(["apiVersion"], "admission.k8s.io/v2")), (400,))
expect_status("uid-129-bytes", dump(variant(["request", "uid"], "u" * 129)), (400,))
case("v1beta1-echoed")(lambda: patched(
    post(dump(variant(["apiVersion"], "admission.k8s.io/v1beta1"))),
    version="admission.k8s.io/v1beta1"))
case("uid-with-escapes-echoed")(lambda: patched(
    post(dump(variant(["request", "uid"], 'a"b\\c\n\u00e9'))), uid='a"b\\c\n\u00e9'))
case("update-is-not-patched")(lambda: not_patched_200(
    post(dump(variant(["request", "operation"], "UPDATE")))))

# Size limits and framing ------------------------------------------------------------


@case("body-exactly-at-cap")
def _():
    body = VALID_BODY + b" " * (CAP - len(VALID_BODY))
    return patched(post(body))


expect_status("body-cap-plus-one", VALID_BODY + b" " * (CAP + 1 - len(VALID_BODY)), (413,))


@case("content-length-over-cap-refused-before-body")
def _():
    c = Conn()
    try:
        c.send(http(headers={"Content-Length": str(CAP + 1)}))
        return status_in(c.response(timeout=5), (413,))
    finally:
        c.close()


LINGER = 2  # seconds a socket answered before its body was read is drained


@case("early-answer-reaches-client-still-sending")
def _():
    """A 413 sent on the Content-Length alone, before the body was read, must
    reach a client that goes on sending the body after it (as curl does):
    closing with the body unread would reset the connection under it."""
    c = Conn()
    try:
        c.send(http(headers={"Content-Length": str(CAP + 1)}))
        time.sleep(0.2)  # the answer is out and libmicrohttpd has closed
        body = b" " * (CAP + 1)
        for i in range(0, len(body), 4096):
            if not c.try_send(body[i:i + 4096]):
                return False, "%s, after %d of %d bytes" % (LAST["send"], i, len(body))
            time.sleep(0.004)
        return status_in(c.response(timeout=5), (413,))
    finally:
        c.close()


@case("early-answer-drain-is-bounded")
def _():
    """A client that never stops sending after an early answer is cut off
    once the drain's time or byte bound is reached."""
    c = Conn()
    try:
        c.send(http(headers={"Content-Length": str(1 << 40)}))
        ok, why = status_in(c.response(timeout=5), (413,))
        if not ok:
            return ok, why
        raw = socket.socket(fileno=os.dup(c.sock.fileno()))  # below TLS: bytes to discard
        start, sent = time.monotonic(), 0
        try:
            while time.monotonic() - start < LINGER + MARGIN + 5:
                raw.sendall(b" " * 8192)
                sent += 8192
                time.sleep(0.01)
        except OSError:
            took = time.monotonic() - start
            return (took < LINGER + MARGIN,
                    "cut after %.1fs and %d bytes (bound %ds)" % (took, sent, LINGER))
        finally:
            raw.close()
        return False, "still open after %.1fs and %d bytes" % (time.monotonic() - start, sent)
    finally:
        c.close()


@case("content-length-huge-number")
def _():
    return status_in(roundtrip(http(headers={"Content-Length": "99999999999999999999999"})),
                     (400, 413), closed_ok=True)


def chunked(body, size):
    out = b""
    for i in range(0, len(body), size):
        piece = body[i:i + size]
        out += b"%x\r\n" % len(piece) + piece + b"\r\n"
    return out + b"0\r\n\r\n"


@case("chunked-over-cap")
def _():
    c = Conn()
    try:
        c.send(http(headers={"Content-Length": None, "Transfer-Encoding": "chunked"}))
        c.try_send(chunked(b" " * (CAP + 50000) + VALID_BODY, 16384))
        return status_in(c.response(timeout=TIMEOUT + MARGIN), (413,), closed_ok=True)
    finally:
        c.close()


case("chunked-under-cap-served")(lambda: patched(roundtrip(
    http(headers={"Content-Length": None, "Transfer-Encoding": "chunked"}) +
    chunked(VALID_BODY, 1000))))


@case("content-length-shorter-than-body")
def _():
    c = Conn()
    try:
        c.send(http(body=VALID_BODY, headers={"Content-Length": str(len(VALID_BODY) - 20)}))
        return status_in(c.response(), (400,))
    finally:
        c.close()


@case("content-length-longer-than-body-then-idle")
def _():
    c = Conn()
    try:
        c.send(http(body=VALID_BODY, headers={"Content-Length": str(len(VALID_BODY) + 100)}))
        t = c.closed_within(TIMEOUT + MARGIN)
        if t is None:
            return False, "still open after %ds" % (TIMEOUT + MARGIN)
        return True, ""
    finally:
        c.close()


@case("transfer-encoding-and-content-length")
def _():
    data = http(headers={"Content-Length": "5", "Transfer-Encoding": "chunked"}) + \
        chunked(VALID_BODY, 4096)
    resp = roundtrip(data)
    if resp is not None and resp.status == 200:
        return patched(resp)  # chunked framing won, as RFC 9112 says
    return status_in(resp, (400,), closed_ok=True)


@case("bad-chunk-size")
def _():
    data = http(headers={"Content-Length": None, "Transfer-Encoding": "chunked"}) + \
        b"zz\r\n" + VALID_BODY + b"\r\n0\r\n\r\n"
    return status_in(roundtrip(data), (400, 413), closed_ok=True)


@case("pipelined-two-requests")
def _():
    c = Conn()
    try:
        c.send(http(body=VALID_BODY) * 2)
        for i in range(2):
            ok, why = patched(c.response())
            if not ok:
                return False, "response %d: %s" % (i + 1, why)
        return True, ""
    finally:
        c.close()


@case("client-aborts-mid-body")
def _():
    c = Conn()
    c.send(http(body=VALID_BODY)[:-1000])
    c.close()
    time.sleep(0.2)
    return True, ""


# Slow clients -------------------------------------------------------------------

def trickle(prefix, step, every=0.5, limit=None, after=None):
    """Sends prefix, then step one byte at a time every `every` seconds until
    the server closes; returns seconds until close or None (still open).
    after: a whole request sent, and its answer read, first (keep-alive)."""
    limit = limit or (TIMEOUT + MARGIN)
    c = Conn()
    try:
        if after:
            c.send(after)
            resp = c.response()
            if resp is None or resp.status != 200:
                raise AssertionError("the request before the trickle got no 200")
        start = time.monotonic()
        if prefix:
            c.send(prefix)
        i = 0
        while time.monotonic() - start < limit:
            if not c.try_send(step[i % len(step):i % len(step) + 1]):
                return time.monotonic() - start
            i += 1
            r, _, _ = select.select([c.sock], [], [], every)
            if r:
                try:
                    if not c.sock.recv(4096):
                        return time.monotonic() - start
                except (OSError, ssl.SSLError):
                    return time.monotonic() - start
        return None
    finally:
        c.close()


@case("slowloris-headers")
def _():
    t = trickle(b"", http(body=VALID_BODY)[:-len(VALID_BODY) - 2] + b"X-Pad: " + b"a" * 1000)
    if t is None:
        return False, ("still open after %ds of one header byte per 0.5 s (timeout %ds): the "
                       "idle timeout restarts on every byte; no deadline for the whole "
                       "request head" % (TIMEOUT + MARGIN, TIMEOUT))
    return True, ""


@case("slowloris-between-requests")
def _():
    """The next request's head trickled in on a keep-alive connection after a
    first request was answered: the deadline applies to every request, not
    only to a connection's first."""
    t = trickle(b"", http(body=VALID_BODY)[:-len(VALID_BODY) - 2] + b"X-Pad: " + b"a" * 1000,
                after=http(body=VALID_BODY))
    if t is None:
        return False, ("still open after %ds of one header byte per 0.5 s after a first "
                       "answer (timeout %ds): no deadline for a later request head"
                       % (TIMEOUT + MARGIN, TIMEOUT))
    return True, ""


@case("slowloris-body")
def _():
    t = trickle(http(body=b"", headers={"Content-Length": str(len(VALID_BODY))}), VALID_BODY)
    if t is None:
        return False, ("still open after %ds of one body byte per 0.5 s (timeout %ds): no "
                       "deadline for the whole body" % (TIMEOUT + MARGIN, TIMEOUT))
    return True, ""


@case("pipelined-to-a-slow-reader")
def _():
    """Answers pile up behind a client with a small receive window that reads
    nothing for a second: the first answers are corked into one record each
    while the socket has room, the later ones go out as libmicrohttpd writes
    them and stop part way; every answer must still arrive whole, in order,
    with its own uid."""
    many = json.load(open(os.path.join(FIX, "reviews", "pod-many-containers.json")))
    uids, reqs = [], []
    for i in range(12):
        doc = json.loads(VALID_BODY) if i % 3 else json.loads(dump(many))
        doc["request"]["uid"] = "pipelined-%02d" % i
        uids.append(doc["request"]["uid"])
        reqs.append(http(body=dump(doc)))
    c = Conn(rcvbuf=2048, timeout=30)
    sender = threading.Thread(target=c.try_send, args=(b"".join(reqs),), daemon=True)
    try:
        sender.start()
        time.sleep(1.0)
        for i, uid in enumerate(uids):
            resp = c.response(timeout=20)
            if resp is None:
                return False, "answer %d of %d missing: connection closed" % (i + 1, len(uids))
            if resp.status != 200:
                return False, "answer %d: HTTP %d" % (i + 1, resp.status)
            got = review_of(resp)["response"].get("uid")
            if got != uid:
                return False, "answer %d carries uid %r, want %r" % (i + 1, got, uid)
        return True, ""
    finally:
        c.close()
        sender.join(5)


@case("idle-2000-connections")
def _():
    conns = []
    try:
        for _ in range(2000):
            s = socket.create_connection(("127.0.0.1", SRV.port), timeout=5)
            conns.append(s)
        t = time.monotonic()
        ok, why = patched(post(VALID_BODY))
        dt = time.monotonic() - t
        if not ok:
            return False, "with 2000 idle connections: " + why
        if dt > (5 if SANITIZED else 2):
            return False, "valid request took %.2fs with 2000 idle connections" % dt
        if not SRV.alive():
            return False, "server died"
        # The idle ones are closed by the server within the timeout.
        deadline = time.monotonic() + TIMEOUT + MARGIN + 2
        open_left = list(conns[:50])
        while open_left and time.monotonic() < deadline:
            r, _, _ = select.select(open_left, [], [], 0.5)
            for s in r:
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    open_left.remove(s)
        if open_left:
            return False, "%d of 50 idle connections still open after %ds" % (
                len(open_left), TIMEOUT + MARGIN + 2)
        return True, ""
    finally:
        for s in conns:
            s.close()


# TLS and protocol ---------------------------------------------------------------

@case("plain-http-to-tls-port")
def _():
    c = Conn(tls=False)
    try:
        c.try_send(http(body=VALID_BODY))
        deadline = time.monotonic() + TIMEOUT + MARGIN
        got = b""
        try:
            while True:
                c._fill(deadline)
                got, c.buf = got + c.buf, b""
        except Closed:
            pass
        except socket.timeout:
            return False, "still open after %ds" % (TIMEOUT + MARGIN)
        if got.startswith(b"HTTP/"):
            return False, "answered plain HTTP: %.100r" % got
        return True, ""
    finally:
        c.close()


def client_hello(version):
    """A TLS ClientHello offering only `version` (0x0301 = 1.0, 0x0302 = 1.1),
    with ECDHE-ECDSA/RSA CBC suites and P-256, which the server would accept
    at that version if it allowed it."""
    suites = [0xC009, 0xC00A, 0xC013, 0xC014, 0x002F, 0x0035]
    groups = struct.pack(">HHH", 0x000A, 4, 2) + struct.pack(">H", 0x0017)
    points = struct.pack(">HHB", 0x000B, 2, 1) + b"\x00"
    sni_name = b"localhost"
    sni = struct.pack(">HHHBH", 0x0000, len(sni_name) + 5, len(sni_name) + 3, 0,
                      len(sni_name)) + sni_name
    ext = groups + points + sni
    body = struct.pack(">H", version) + os.urandom(32) + b"\x00"
    body += struct.pack(">H", 2 * len(suites)) + b"".join(struct.pack(">H", s) for s in suites)
    body += b"\x01\x00" + struct.pack(">H", len(ext)) + ext
    hs = b"\x01" + struct.pack(">I", len(body))[1:] + body
    return b"\x16" + struct.pack(">HH", 0x0301, len(hs)) + hs


def old_tls_refused(version):
    c = Conn(tls=False)
    try:
        c.send(client_hello(version))
        deadline = time.monotonic() + TIMEOUT + MARGIN
        try:
            while len(c.buf) < 6:
                c._fill(deadline)
        except Closed:
            return True, ""  # closed without a ServerHello
        except socket.timeout:
            return False, "no answer and still open after %ds" % (TIMEOUT + MARGIN)
        if c.buf[0] == 0x15:
            return True, ""  # an alert (protocol_version)
        if c.buf[0] == 0x16 and c.buf[5] == 0x02:
            return False, "server answered with a ServerHello (version %02x%02x)" % (
                c.buf[1], c.buf[2])
        return False, "unexpected bytes %r" % c.buf[:16]
    finally:
        c.close()


case("tls-1.0-refused")(lambda: old_tls_refused(0x0301))
case("tls-1.1-refused")(lambda: old_tls_refused(0x0302))


@case("tls-1.2-accepted")
def _():
    global CTX
    saved = CTX
    ctx = ssl.create_default_context(cafile=os.path.join(SRV.certs, "ca.pem"))
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    CTX = ctx
    try:
        return patched(post(VALID_BODY))
    finally:
        CTX = saved


@case("tls-handshake-then-close")
def _():
    for _ in range(20):
        Conn().close()
    return True, ""


@case("binary-garbage-after-tls")
def _():
    return status_in(roundtrip(bytes(range(256)) * 16 + b"\r\n\r\n"), (400, 404, 405, 413, 414),
                     closed_ok=True, want_review=False)


case("http-1.0-request")(lambda: patched(roundtrip(http(body=VALID_BODY, version="HTTP/1.0"))))


@case("headers-500")
def _():
    h = {"X-Hostile-%03d" % i: "v" * 10 for i in range(500)}
    resp = post(VALID_BODY, headers=h)
    if resp is not None and resp.status == 200:
        return patched(resp)
    return status_in(resp, (400, 413, 431), closed_ok=True, want_review=False)


@case("header-20kb-served")
def _():
    # The connection's memory (server/http.c) leaves room for this much.
    return patched(post(VALID_BODY, headers={"X-Big": "a" * 20000}))


@case("header-100kb")
def _():
    return status_in(post(VALID_BODY, headers={"X-Big": "a" * 100000}), (400, 413, 431),
                     closed_ok=True, want_review=False)


@case("url-100kb")
def _():
    return status_in(post(VALID_BODY, path="/mutate?" + "a" * 100000), (400, 404, 413, 414, 431),
                     closed_ok=True, want_review=False)


@case("header-with-nul")
def _():
    data = http(body=VALID_BODY).replace(b"Host:", b"X-A: a\x00b\r\nHost:", 1)
    resp = roundtrip(data)
    if resp is not None and resp.status == 200:
        return patched(resp)
    return status_in(resp, (400,), closed_ok=True, want_review=False)


# Methods, paths, content types ----------------------------------------------------

for _m in ("GET", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH"):
    case("method-" + _m)(lambda m=_m: status_in(
        roundtrip(http(method=m, body=VALID_BODY if m != "HEAD" else b""), head=(m == "HEAD")),
        (405,), want_review=(m != "HEAD")))

for _p, _want in (("/", (404,)), ("/mutate/", (404,)), ("/MUTATE", (404,)),
                  ("/../mutate", (400, 404)), ("/mutate/../mutate", (400, 404)),
                  ("//mutate", (404,)), ("/mutate%00", (400, 404))):
    case("path-" + _p)(lambda p=_p, w=_want: status_in(post(VALID_BODY, path=p), w))
case("path-/mutate?x=1-is-/mutate")(lambda: patched(post(VALID_BODY, path="/mutate?x=1")))

for _ct in ("text/plain", "application/json5", "multipart/form-data; boundary=x",
            "application/jsonx", "json", ""):
    case("content-type-" + (_ct or "empty"))(lambda ct=_ct: status_in(
        post(VALID_BODY, headers={"Content-Type": ct}), (415,)))
case("content-type-missing")(lambda: status_in(
    post(VALID_BODY, headers={"Content-Type": None}), (415,)))
case("content-type-json-charset-ok")(lambda: patched(
    post(VALID_BODY, headers={"Content-Type": "application/json; charset=utf-8"})))
case("content-type-json-uppercase-ok")(lambda: patched(
    post(VALID_BODY, headers={"Content-Type": "Application/JSON"})))


@case("expect-100-continue")
def _():
    c = Conn()
    try:
        c.send(http(body=b"", headers={"Content-Length": str(len(VALID_BODY)),
                                       "Expect": "100-continue"}))
        first = c.response(timeout=3, interim=True)
        if first is None or first.status != 100:
            return False, "no 100 Continue: %s" % (first and first.status)
        c.send(VALID_BODY)
        return patched(c.response())
    finally:
        c.close()


@case("probe-port-healthz-and-no-mutate")
def _():
    c = Conn(tls=False, port=SRV.probe)
    try:
        c.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        r = c.response()
        if r is None or r.status != 200:
            return False, "healthz: %s" % (r and r.status)
    finally:
        c.close()
    c = Conn(tls=False, port=SRV.probe)
    try:
        c.send(http(body=VALID_BODY))
        return status_in(c.response(), (404,))
    finally:
        c.close()


# ---- main -------------------------------------------------------------------------

def main():
    global SRV, CTX
    fds = raise_fd_limit()
    SRV = Server()
    CTX = ssl.create_default_context(cafile=os.path.join(SRV.certs, "ca.pem"))
    passed = failed = 0
    ok, why = baseline()
    if not ok:
        print("FAIL baseline: %s" % why)
        SRV.stop()
        print("0 passed, 1 failed")
        return 1
    if fds < 2200:
        print("note: RLIMIT_NOFILE is %d; the idle-connection case needs about 2100" % fds)
    only = os.environ.get("WH_HOSTILE_ONLY")
    for name, fn in CASES:
        if only and not re.search(only, name):
            continue
        t = time.monotonic()
        LAST.clear()
        try:
            ok, why = fn()
        except Exception as e:  # noqa: BLE001 - any client error fails the case
            ok, why = False, "exception: %r" % e
        after_ok, after_why = baseline()
        if ok and not after_ok:
            ok, why = False, "next valid review: " + after_why
        elif not after_ok:
            why += "; next valid review: " + after_why
        dt = time.monotonic() - t
        if ok:
            passed += 1
            print("ok %s (%.1fs)" % (name, dt), flush=True)
        else:
            failed += 1
            print("FAIL %s: %s" % (name, why), flush=True)
        if not SRV.alive():
            break
    alive = SRV.alive()
    rc, log = SRV.stop()
    bad = [m for m in ("AddressSanitizer", "runtime error:", "LeakSanitizer", "ThreadSanitizer")
           if m in log]
    if not alive:
        failed += 1
        print("FAIL server: died during the catalogue (exit %s); log %s" % (rc, SRV.log))
    elif rc != 0:
        failed += 1
        print("FAIL server: exit status %s after SIGTERM; log %s" % (rc, SRV.log))
    if bad:
        failed += 1
        print("FAIL server: stderr holds %s; log %s" % (", ".join(bad), SRV.log))
        for line in log.splitlines():
            if any(m in line for m in bad):
                print("  " + line[:300])
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
