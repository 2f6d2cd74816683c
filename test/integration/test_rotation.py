#!/usr/bin/python3
"""test_rotation.py SPARKHOOK SOURCE_DIR SCRATCH_DIR

Certificate rotation without a restart. The serving pair lives in a directory
laid out the way a Kubernetes Secret volume is (tls.crt -> ..data/tls.crt,
..data -> ..<timestamp>, swapped with an atomic rename). Under load from
keep-alive and new-connection clients the pair is swapped: no request may
fail, new handshakes must get the new certificate within 10 s, and the old
keep-alive connections must keep working. A broken pair is refused and the
current one kept. /readyz turns 503 once the serving certificate expires.
"""
import datetime
import http.client
import json
import os
import re
import shutil
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


def generate(out):
    subprocess.run([BIN, "certs", "generate", "--service", "sparkhook", "--namespace",
                    "sparkhook-system", "--out", out], check=True, capture_output=True)


class SecretDir:
    """A directory laid out like a Kubernetes Secret volume."""

    def __init__(self, path):
        self.path = path
        os.makedirs(path)
        self.n = 0

    def publish(self, src, files=("tls.crt", "tls.key")):
        self.n += 1
        ts = os.path.join(self.path, "..%d" % self.n)
        os.makedirs(ts)
        for f in files:
            shutil.copy(os.path.join(src, f), os.path.join(ts, f))
        tmp = os.path.join(self.path, "..data_tmp")
        os.symlink("..%d" % self.n, tmp)
        os.rename(tmp, os.path.join(self.path, "..data"))  # the atomic swap
        for f in files:
            link = os.path.join(self.path, f)
            if not os.path.islink(link):
                os.symlink(os.path.join("..data", f), link)


def serial_of(pem_path):
    out = subprocess.run(["openssl", "x509", "-noout", "-serial", "-in", pem_path],
                         capture_output=True, text=True, check=True).stdout
    return out.strip().split("=")[1].upper()


def served_serial(port, ctx):
    with ctx.wrap_socket(__import__("socket").create_connection(("127.0.0.1", port), 5),
                         server_hostname="sparkhook.sparkhook-system.svc") as s:
        der = s.getpeercert(binary_form=True)
    pem = ssl.DER_cert_to_PEM_cert(der)
    p = subprocess.run(["openssl", "x509", "-noout", "-serial"], input=pem, capture_output=True,
                       text=True, check=True)
    return p.stdout.strip().split("=")[1].upper()


class Load:
    """Clients posting reviews until stopped, counting every failure."""

    def __init__(self, port, ctx, body):
        self.port, self.ctx, self.body = port, ctx, body
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.ok = self.failed = 0
        self.errors = []
        self.keepalive_requests_after_swap = 0
        self.swapped = threading.Event()
        self.threads = [threading.Thread(target=self.keepalive) for _ in range(3)] + \
                       [threading.Thread(target=self.fresh) for _ in range(2)]

    def record(self, ok, err=None, keepalive=False):
        with self.lock:
            if ok:
                self.ok += 1
                if keepalive and self.swapped.is_set():
                    self.keepalive_requests_after_swap += 1
            else:
                self.failed += 1
                self.errors.append(err)

    def one(self, conn):
        conn.request("POST", "/mutate", self.body, {"Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        return r.status == 200 and b'"allowed":true' in data

    def keepalive(self):
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=10)
        conn.connect()
        while not self.stop.is_set():
            try:
                self.record(self.one(conn), "status", keepalive=True)
            except Exception as e:  # noqa: BLE001 - every failure counts
                self.record(False, repr(e))
                conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx,
                                                   timeout=10)

    def fresh(self):
        while not self.stop.is_set():
            conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx,
                                               timeout=10)
            try:
                self.record(self.one(conn), "status")
            except Exception as e:  # noqa: BLE001
                self.record(False, repr(e))
            finally:
                conn.close()

    def start(self):
        for t in self.threads:
            t.start()

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(20)


def client_ctx(cas):
    ctx = ssl.create_default_context()
    ctx.load_verify_locations(cadata="".join(open(c).read() for c in cas))
    ctx.check_hostname = True
    return ctx


def start(secret, work, name):
    log = os.path.join(work, name + ".log")
    proc = subprocess.Popen(
        [BIN, "serve", "--listen", "127.0.0.1:0", "--probe-listen", "127.0.0.1:0",
         "--tls-cert", os.path.join(secret, "tls.crt"), "--tls-key",
         os.path.join(secret, "tls.key"), "--objects",
         os.path.join(SRC, "test/fixtures/objects.json")],
        stderr=open(log, "w"))
    for _ in range(500):
        text = open(log).read()
        web = re.search(r"serving https on \S+ \(port (\d+)\)", text)
        probe = re.search(r"serving probes on http \S+ \(port (\d+)\)", text)
        if web and probe:
            return proc, int(web.group(1)), int(probe.group(1)), log
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    proc.kill()
    raise SystemExit("server did not start: " + open(log).read())


def readyz(probe):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/readyz" % probe, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def rotation(work):
    a, b = os.path.join(work, "a"), os.path.join(work, "b")
    generate(a)
    generate(b)
    secret = SecretDir(os.path.join(work, "secret"))
    secret.publish(a)
    proc, port, probe, log = start(secret.path, work, "rotation")
    # Clients trust both CAs, as a caBundle does during a rotation.
    ctx = client_ctx([a + "/ca.crt", b + "/ca.crt"])
    ctx.check_hostname = False  # hostname is checked separately below, per handshake
    name_ctx = client_ctx([a + "/ca.crt", b + "/ca.crt"])
    check("serves_first_certificate", served_serial(port, name_ctx) == serial_of(a + "/tls.crt"))
    body = open(os.path.join(SRC, "test/fixtures/reviews/spark-3.5-executor.json"), "rb").read()
    load = Load(port, ctx, body)
    load.start()
    time.sleep(1.0)
    secret.publish(b)
    load.swapped.set()
    start_t = time.monotonic()
    new = serial_of(b + "/tls.crt")
    seen = None
    while time.monotonic() - start_t < 10:
        seen = served_serial(port, name_ctx)
        if seen == new:
            break
        time.sleep(0.1)
    took = time.monotonic() - start_t
    check("new_certificate_served_within_10s", seen == new, "after %.1fs still %s" % (took, seen))
    time.sleep(1.0)
    load.finish()
    print("   load: %d requests ok, %d failed; rotation seen after %.2fs" %
          (load.ok, load.failed, took))
    check("zero_failed_requests_during_rotation", load.failed == 0 and load.ok > 100,
          (load.failed, load.errors[:3], load.ok))
    check("keepalive_connections_unaffected", load.keepalive_requests_after_swap > 0)

    # A broken pair (the key of another certificate) is refused; the current one stays.
    broken = os.path.join(work, "broken")
    os.makedirs(broken)
    shutil.copy(a + "/tls.crt", broken + "/tls.crt")
    shutil.copy(b + "/tls.key", broken + "/tls.key")
    secret.publish(broken)
    time.sleep(2.5)
    check("broken_pair_refused_old_kept", served_serial(port, name_ctx) == new)
    text = open(log).read()
    check("broken_pair_logged", re.search(r"refused, keeping the current one", text), text[-300:])
    proc.terminate()
    check("rotation_server_exit_0", proc.wait(10) == 0)


def expiring_pair(work):
    """A CA and a serving certificate that expires 3 seconds from now."""
    d = os.path.join(work, "short")
    os.makedirs(os.path.join(d, "newcerts"))
    open(os.path.join(d, "index.txt"), "w").close()
    with open(os.path.join(d, "serial"), "w") as f:
        f.write("1000\n")
    cnf = os.path.join(d, "ca.cnf")
    with open(cnf, "w") as f:
        f.write("[ca]\ndefault_ca=c\n[c]\ndir=%s\ndatabase=$dir/index.txt\n"
                "new_certs_dir=$dir/newcerts\nserial=$dir/serial\ndefault_md=sha256\n"
                "policy=p\nunique_subject=no\ncopy_extensions=copy\n[p]\ncommonName=supplied\n" % d)
    sh = lambda *a: subprocess.run(a, check=True, capture_output=True)  # noqa: E731
    sh("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", d + "/ca.key")
    sh("openssl", "req", "-x509", "-new", "-key", d + "/ca.key", "-subj", "/CN=short CA",
       "-days", "1", "-out", d + "/ca.crt")
    sh("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", d + "/tls.key")
    sh("openssl", "req", "-new", "-key", d + "/tls.key", "-subj", "/CN=localhost",
       "-addext", "subjectAltName=DNS:localhost", "-out", d + "/tls.csr")
    now = datetime.datetime.now(datetime.timezone.utc)
    fmt = lambda t: t.strftime("%Y%m%d%H%M%SZ")  # noqa: E731
    sh("openssl", "ca", "-batch", "-config", cnf, "-cert", d + "/ca.crt", "-keyfile",
       d + "/ca.key", "-in", d + "/tls.csr", "-out", d + "/tls.crt", "-notext",
       "-startdate", fmt(now - datetime.timedelta(minutes=1)),
       "-enddate", fmt(now + datetime.timedelta(seconds=4)))
    return d


def expiry(work):
    d = expiring_pair(work)
    proc, _, probe, _ = start(d, work, "expiry")
    code, _ = readyz(probe)
    check("readyz_200_while_certificate_valid", code == 200, code)
    time.sleep(5)
    code, body = readyz(probe)
    check("readyz_503_after_certificate_expired", code == 503 and "expired" in body, (code, body))
    proc.terminate()
    proc.wait(10)


def main():
    os.makedirs(SCRATCH, exist_ok=True)
    work = tempfile.mkdtemp(prefix="rot.", dir=SCRATCH)
    rotation(work)
    expiry(work)
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    if passed == len(results):
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if passed == len(results) else 1)


main()
