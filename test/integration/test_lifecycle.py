#!/usr/bin/python3
"""test_lifecycle.py SPARKHOOK SOURCE_DIR SCRATCH_DIR

SIGHUP reloads the config (an invalid file keeps the running one), and
SIGTERM under load drains: new connections are refused, every request the
server accepted gets a whole answer, /readyz turns 503, and the process exits
0 within the grace period. Prints "ok NAME" / "FAIL NAME: why" and
"N passed, N failed".
"""
import base64
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

BIN, SRC, SCRATCH = sys.argv[1], sys.argv[2], sys.argv[3]
results = []


def check(name, cond, why=""):
    results.append(bool(cond))
    print(("ok   %s" % name) if cond else ("FAIL %s: %s" % (name, why)), flush=True)


def write_config(path, audience):
    cfg = {"server": {"shutdownGraceSeconds": 5}, "aws": {"audience": audience}}
    with open(path + ".tmp", "w") as f:
        json.dump(cfg, f)
    os.replace(path + ".tmp", path)


def start(work, certs, cfg):
    log = os.path.join(work, "serve.log")
    proc = subprocess.Popen(
        [BIN, "serve", "--listen", "127.0.0.1:0", "--probe-listen", "127.0.0.1:0",
         "--tls-cert", certs + "/tls.crt", "--tls-key", certs + "/tls.key", "--config", cfg,
         "--objects", os.path.join(SRC, "test/fixtures/objects.json")],
        stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    for _ in range(500):
        text = open(log).read()
        web = re.search(r"serving https on \S+ \(port (\d+)\)", text)
        probe = re.search(r"serving probes on http \S+ \(port (\d+)\)", text)
        if web and probe:
            return proc, int(web.group(1)), int(probe.group(1)), log
        time.sleep(0.02)
    proc.kill()
    raise SystemExit("server did not start: " + open(log).read())


def audience_of(port, ctx, body):
    """The audience of the injected IRSA token (from config aws.audience)."""
    conn = http.client.HTTPSConnection("localhost", port, context=ctx, timeout=10)
    conn.request("POST", "/mutate", body, {"Content-Type": "application/json"})
    resp = json.loads(conn.getresponse().read())["response"]
    conn.close()
    for op in json.loads(base64.b64decode(resp.get("patch", "W10="))):
        vols = op["value"] if op["path"] == "/spec/volumes" else [op.get("value")]
        for v in vols:
            if isinstance(v, dict) and v.get("name") == "aws-iam-token" and "projected" in v:
                return v["projected"]["sources"][0]["serviceAccountToken"]["audience"]
    return None


def readyz(probe):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/readyz" % probe, timeout=2) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None


class Load:
    def __init__(self, port, ctx, body):
        self.port, self.ctx, self.body = port, ctx, body
        self.lock = threading.Lock()
        self.ok = 0
        self.failed = []
        self.threads = [threading.Thread(target=self.client, args=(ka,)) for ka in
                        (True, True, True, False, False)]

    def client(self, keepalive):
        conn = None
        while True:
            try:
                if conn is None:
                    conn = http.client.HTTPSConnection("localhost", self.port, context=self.ctx,
                                                       timeout=10)
                    conn.connect()
            except OSError:
                return  # refused: the server stopped accepting; not a failed request
            try:
                conn.request("POST", "/mutate", self.body, {"Content-Type": "application/json"})
                r = conn.getresponse()
                data = r.read()
                good = r.status == 200 and b'"allowed":true' in data
                close = (r.getheader("Connection") or "").lower() == "close"
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as e:
                # The connection went away before the request was taken: only a
                # failure if the server had read the request (no way to tell
                # here), so it is recorded and judged by the count below.
                with self.lock:
                    self.failed.append(repr(e))
                return
            with self.lock:
                if good:
                    self.ok += 1
                else:
                    self.failed.append("status %s" % r.status)
            if close or not keepalive:
                conn.close()
                conn = None

    def start(self):
        for t in self.threads:
            t.start()

    def join(self):
        for t in self.threads:
            t.join(30)


def codes_after(codes):
    """readyz answers once the server has seen the signal (the first 100 ms
    after SIGTERM are skipped by the sampling loop)."""
    return [c for c in codes if c is not None]


def main():
    os.makedirs(SCRATCH, exist_ok=True)
    work = tempfile.mkdtemp(prefix="life.", dir=SCRATCH)
    certs = os.path.join(work, "certs")
    subprocess.run([os.path.join(SRC, "certs/gen-dev-certs.sh"), certs], check=True)
    cfg = os.path.join(work, "config.json")
    write_config(cfg, "aud-a")
    proc, port, probe, log = start(work, certs, cfg)
    try:
        run_checks(proc, port, probe, log, certs, cfg)
    finally:
        if proc.poll() is None:
            proc.kill()
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    if passed == len(results):
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if passed == len(results) else 1)


def run_checks(proc, port, probe, log, certs, cfg):
    ctx = ssl.create_default_context(cafile=certs + "/ca.pem")
    body = open(os.path.join(SRC, "test/fixtures/reviews/spark-3.5-executor.json"), "rb").read()

    check("config_applies", audience_of(port, ctx, body) == "aud-a")
    write_config(cfg, "aud-b")
    proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    got = None
    while time.monotonic() < deadline and got != "aud-b":
        got = audience_of(port, ctx, body)
        time.sleep(0.05)
    check("sighup_reloads_config", got == "aud-b", got)
    with open(cfg, "w") as f:
        json.dump({"aws": {"audience": "aud-c", "regoin": "x"}}, f)
    proc.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    check("invalid_reload_keeps_running_config", audience_of(port, ctx, body) == "aud-b")
    check("invalid_reload_logged", "the running config is kept" in open(log).read())
    check("server_alive_after_reloads", proc.poll() is None)

    load = Load(port, ctx, body)
    load.start()
    # An idle keep-alive connection, as kube-apiserver keeps them: the drain
    # must not wait for it, and must not cut a request.
    idle = http.client.HTTPSConnection("localhost", port, context=ctx, timeout=10)
    idle.request("POST", "/mutate", body, {"Content-Type": "application/json"})
    idle.getresponse().read()
    time.sleep(1.5)
    before = load.ok
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    codes = []
    time.sleep(0.1)  # let the signal be taken
    while proc.poll() is None and time.monotonic() - t0 < 10:
        codes.append(readyz(probe))
        time.sleep(0.02)
    rc = proc.wait(15)
    took = time.monotonic() - t0
    load.join()
    print("   %d requests answered before SIGTERM, %d in total; exit after %.2fs" %
          (before, load.ok, took))
    check("sigterm_exit_0", rc == 0, rc)
    check("sigterm_within_grace", took < 5 + 2, "%.2fs" % took)
    check("readyz_not_200_after_sigterm", 200 not in codes_after(codes), codes)
    check("zero_failed_requests_on_sigterm", not load.failed and load.ok > before,
          load.failed[:5])
    text = open(log).read()
    check("drain_logged", "draining" in text)
    check("no_sanitizer_reports",
          not re.search(r"AddressSanitizer|LeakSanitizer|ThreadSanitizer|runtime error:", text))


main()
