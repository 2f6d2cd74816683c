#!/usr/bin/python3
"""test_auth.py SPARKHOOK SOURCE_DIR SCRATCH_DIR

Caller authentication against the real server: static bearer tokens, JWTs
(RS256, signed here with the openssl CLI; pinned algorithm, iss/aud/exp) and
client certificates (mTLS). Every refusal is a 401 with a message that never
echoes the credential. Prints "ok NAME" / "FAIL NAME: why" and
"N passed, N failed".
"""
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

BIN, SRC, SCRATCH = sys.argv[1], sys.argv[2], sys.argv[3]
results = []
REVIEW = os.path.join(SRC, "test/fixtures/reviews/spark-3.5-executor.json")


def check(name, cond, why=""):
    results.append(bool(cond))
    print(("ok   %s" % name) if cond else ("FAIL %s: %s" % (name, why)), flush=True)


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, **kw)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(key, claims, alg="RS256"):
    head = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims).encode())
    signing = ("%s.%s" % (head, body)).encode()
    sig = sh("openssl", "dgst", "-sha256", "-sign", key, input=signing).stdout
    return "%s.%s.%s" % (head, body, b64url(sig))


class Server:
    def __init__(self, work, certs, cfg):
        path = os.path.join(work, "cfg-%d.json" % len(os.listdir(work)))
        with open(path, "w") as f:
            json.dump(cfg, f)
        self.log = path + ".log"
        self.proc = subprocess.Popen(
            [BIN, "serve", "--listen", "127.0.0.1:0", "--tls-cert", certs + "/tls.crt",
             "--tls-key", certs + "/tls.key", "--config", path, "--objects",
             os.path.join(SRC, "test/fixtures/objects.json")],
            stdout=subprocess.DEVNULL, stderr=open(self.log, "w"))
        self.certs = certs
        for _ in range(500):
            m = re.search(r"serving https on \S+ \(port (\d+)\)", open(self.log).read())
            if m:
                self.port = int(m.group(1))
                return
            if self.proc.poll() is not None:
                raise SystemExit("server exited: " + open(self.log).read())
            time.sleep(0.02)
        raise SystemExit("server did not start")

    def post(self, *curl_args):
        p = subprocess.run(["curl", "-sS", "--max-time", "10", "--cacert", self.certs + "/ca.pem",
                            "-H", "Content-Type: application/json", "--data-binary", "@" + REVIEW,
                            "-o", "-", "-w", "\n%{http_code}",
                            "https://localhost:%d/mutate" % self.port] + list(curl_args),
                           capture_output=True, text=True)
        body, _, code = p.stdout.rpartition("\n")
        return int(code or 0), body

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        return open(self.log).read()


def refused(code, body, secret=None):
    try:
        st = json.loads(body)["response"]["status"]
    except (ValueError, KeyError):
        return False
    return code == 401 and st["code"] == 401 and st["message"] and \
        (secret is None or secret not in body)


def tokens(work, certs):
    tok = "s3cr3t-token-for-the-apiserver-0123"
    path = os.path.join(work, "tokens")
    with open(path, "w") as f:
        f.write("# kube-apiserver\n%s\n" % tok)
    s = Server(work, certs, {"auth": {"bearerTokenFile": path}})
    code, body = s.post()
    check("token_missing_401", refused(code, body), (code, body))
    code, body = s.post("-H", "Authorization: Bearer wrong-token-0123456789")
    check("token_wrong_401", refused(code, body, "wrong-token"), (code, body))
    code, body = s.post("-H", "Authorization: Bearer " + tok[:-1])
    check("token_prefix_401", refused(code, body), code)
    code, body = s.post("-H", "Authorization: Bearer " + tok)
    check("token_right_200", code == 200 and '"patch"' in body, code)
    log = s.stop()
    check("token_never_logged", tok not in log and "wrong-token" not in log)


def jwts(work, certs):
    key = os.path.join(work, "rsa.key")
    pub = os.path.join(work, "rsa.pub")
    other = os.path.join(work, "other.key")
    sh("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key)
    sh("openssl", "pkey", "-in", key, "-pubout", "-out", pub)
    sh("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out",
       other)
    s = Server(work, certs, {"auth": {"jwtKeysFile": pub, "jwtIssuer": "kube-apiserver",
                                      "jwtAudience": "sparkhook"}})
    now = int(time.time())
    good = {"iss": "kube-apiserver", "aud": "sparkhook", "sub": "apiserver", "exp": now + 600,
            "iat": now}
    code, body = s.post("-H", "Authorization: Bearer " + jwt(key, good))
    check("jwt_valid_200", code == 200, (code, body[:300]))
    code, body = s.post("-H", "Authorization: Bearer " + jwt(key, dict(good, exp=now - 600)))
    check("jwt_expired_401", refused(code, body) and "exp" in body, body[:300])
    code, body = s.post("-H", "Authorization: Bearer " + jwt(key, dict(good, aud="other")))
    check("jwt_wrong_audience_401", refused(code, body), body[:300])
    code, body = s.post("-H", "Authorization: Bearer " + jwt(key, dict(good, iss="evil")))
    check("jwt_wrong_issuer_401", refused(code, body), body[:300])
    code, body = s.post("-H", "Authorization: Bearer " + jwt(other, good))
    check("jwt_other_key_401", refused(code, body), body[:300])
    tok = jwt(key, good)
    head, payload, sig = tok.split(".")
    tampered = b64url(json.dumps(dict(good, sub="root")).encode())
    code, body = s.post("-H", "Authorization: Bearer %s.%s.%s" % (head, tampered, sig))
    check("jwt_tampered_401", refused(code, body), body[:300])
    none = "%s.%s." % (b64url(b'{"alg":"none","typ":"JWT"}'), payload)
    code, body = s.post("-H", "Authorization: Bearer " + none)
    check("jwt_alg_none_401", refused(code, body), body[:300])
    s.stop()


def mtls(work, certs):
    d = os.path.join(work, "clients")
    os.makedirs(d)
    for ca in ("ca", "rogue"):
        sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
           "-nodes", "-keyout", "%s/%s.key" % (d, ca), "-out", "%s/%s.pem" % (d, ca), "-days",
           "2", "-subj", "/CN=%s client CA" % ca)
        sh("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
           "-keyout", "%s/%s-client.key" % (d, ca), "-out", "%s/%s-client.csr" % (d, ca),
           "-subj", "/CN=kube-apiserver")
        with open("%s/ext.cnf" % d, "w") as f:
            f.write("extendedKeyUsage=clientAuth\n")
        sh("openssl", "x509", "-req", "-in", "%s/%s-client.csr" % (d, ca), "-CA",
           "%s/%s.pem" % (d, ca), "-CAkey", "%s/%s.key" % (d, ca), "-CAcreateserial", "-days",
           "2", "-extfile", "%s/ext.cnf" % d, "-out", "%s/%s-client.pem" % (d, ca))
    s = Server(work, certs, {"auth": {"clientCaFile": d + "/ca.pem"}})
    code, body = s.post("--cert", d + "/ca-client.pem", "--key", d + "/ca-client.key")
    check("mtls_client_cert_200", code == 200, (code, body[:300]))
    code, body = s.post()
    check("mtls_no_cert_401", refused(code, body) or code == 0, (code, body[:300]))
    code, body = s.post("--cert", d + "/rogue-client.pem", "--key", d + "/rogue-client.key")
    check("mtls_rogue_cert_refused", refused(code, body) or code == 0, (code, body[:300]))
    code, body = s.post("--cert", d + "/ca-client.pem", "--key", d + "/ca-client.key")
    check("mtls_served_after_refusals", code == 200, code)
    s.stop()


def main():
    os.makedirs(SCRATCH, exist_ok=True)
    work = tempfile.mkdtemp(prefix="auth.", dir=SCRATCH)
    certs = os.path.join(work, "certs")
    subprocess.run([os.path.join(SRC, "certs/gen-dev-certs.sh"), certs], check=True)
    os.makedirs(os.path.join(work, "cfg"))
    tokens(os.path.join(work, "cfg"), certs)
    jwts(os.path.join(work, "cfg"), certs)
    mtls(os.path.join(work, "cfg"), certs)
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    if passed == len(results):
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if passed == len(results) else 1)


main()
