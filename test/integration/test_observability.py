#!/usr/bin/python3
"""test_observability.py SPARKHOOK SOURCE_DIR SCRATCH_DIR

What a platform engineer sees: /metrics after a known request sequence
(checked with promtool and for exact values), the JSON access log (fields,
one line per request, no env values), the text log format, and every CLI
subcommand with its exit codes. Prints "ok NAME" / "FAIL NAME: why" and
"N passed, N failed".
"""
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BIN, SRC, SCRATCH = sys.argv[1], sys.argv[2], sys.argv[3]
FIX = os.path.join(SRC, "test/fixtures")
results = []


def check(name, cond, why=""):
    results.append(bool(cond))
    print(("ok   %s" % name) if cond else ("FAIL %s: %s" % (name, why)), flush=True)


def run(*args, stdin=None):
    p = subprocess.run([BIN] + list(args), input=stdin, capture_output=True, text=True,
                       timeout=30)
    return p.returncode, p.stdout, p.stderr


class Server:
    def __init__(self, work, certs, extra=()):
        self.log = os.path.join(work, "serve-%d.log" % len(os.listdir(work)))
        self.proc = subprocess.Popen(
            [BIN, "serve", "--listen", "127.0.0.1:0", "--probe-listen", "127.0.0.1:0",
             "--tls-cert", certs + "/tls.crt", "--tls-key", certs + "/tls.key",
             "--objects", os.path.join(FIX, "objects.json")] + list(extra),
            stderr=open(self.log, "w"))
        self.ctx = ssl.create_default_context(cafile=certs + "/ca.pem")
        for _ in range(500):
            text = open(self.log).read()
            web = re.search(r"serving https on \S+ \(port (\d+)\)", text)
            probe = re.search(r"serving probes on http \S+ \(port (\d+)\)", text)
            if web and probe:
                self.port, self.probe = int(web.group(1)), int(probe.group(1))
                return
            time.sleep(0.02)
        raise SystemExit("server did not start: " + open(self.log).read())

    def post(self, body, ctype="application/json", method="POST"):
        req = urllib.request.Request("https://localhost:%d/mutate" % self.port, data=body,
                                     method=method, headers={"Content-Type": ctype})
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def metrics(self):
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.probe, timeout=5) as r:
            return r.read().decode()

    def stop(self):
        self.proc.terminate()
        rc = self.proc.wait(timeout=10)
        return rc, open(self.log).read()


def value(metrics, series):
    for line in metrics.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return None


def fixture(name):
    with open(os.path.join(FIX, "reviews", name), "rb") as f:
        return f.read()


def metrics_and_logs(work, certs):
    s = Server(work, certs)
    executor = fixture("spark-3.5-executor.json")
    secret = None
    for c in json.loads(executor)["request"]["object"]["spec"]["containers"]:
        for e in c.get("env", []):
            if e["name"] == "SPARK_AUTH_SECRET":
                secret = e["value"]
    # The known sequence: 2 patched executors, 1 executor with nothing to add
    # (it already carries IRSA), 1 non-Spark pod, 1 pod in a namespace that
    # did not opt in, 1 bad JSON, 1 GET, 1 text/plain.
    other_ns = json.loads(executor)
    other_ns["request"]["namespace"] = "analytics"
    codes = [s.post(executor)[0], s.post(executor)[0],
             s.post(fixture("spark-3.5-executor-irsa-present.json"))[0],
             s.post(fixture("non-spark-pod.json"))[0],
             s.post(json.dumps(other_ns).encode())[0],
             s.post(b"{not json")[0], s.post(None, method="GET")[0],
             s.post(b"{}", ctype="text/plain")[0]]
    check("sequence_statuses", codes == [200, 200, 200, 200, 200, 400, 405, 415], codes)
    m = s.metrics()
    path = os.path.join(work, "metrics.txt")
    with open(path, "w") as f:
        f.write(m)
    p = subprocess.run(["promtool", "check", "metrics"], stdin=open(path), capture_output=True,
                       text=True)
    check("promtool_check_metrics", p.returncode == 0, p.stdout + p.stderr)
    want = {
        'sparkhook_admission_requests_total{result="patched",role="executor"}': 2,
        'sparkhook_admission_requests_total{result="allowed",role="executor"}': 1,
        'sparkhook_admission_requests_total{result="skipped",role="none"}': 1,
        'sparkhook_admission_requests_total{result="skipped",role="executor"}': 1,
        'sparkhook_admission_requests_total{result="invalid",role="none"}': 1,
        'sparkhook_http_refused_total{code="405"}': 1,
        'sparkhook_http_refused_total{code="415"}': 1,
        'sparkhook_mutations_total{feature="aws-irsa"}': 2,
        'sparkhook_skips_total{reason="not_spark_pod"}': 1,
        'sparkhook_skips_total{reason="namespace_not_opted_in"}': 1,
        'sparkhook_admission_duration_seconds_count': 8,
        'sparkhook_admission_duration_seconds_bucket{le="+Inf"}': 8,
        'sparkhook_cache_objects{kind="namespace"}': 3,
        'sparkhook_cache_objects{kind="serviceaccount"}': 5,
        'sparkhook_cache_ready': 1,
        'sparkhook_build_info{version="%s"}' % run("--version")[1].split()[-1]: 1,
    }
    bad = {k: (value(m, k), v) for k, v in want.items() if value(m, k) != v}
    check("metric_values_after_sequence", not bad, bad)
    expiry = value(m, "sparkhook_tls_certificate_expiry_timestamp_seconds")
    check("metric_certificate_expiry", expiry and expiry > time.time(), expiry)
    check("metric_sub_millisecond_buckets",
          'le="0.0001"' in m and 'le="0.00025"' in m and 'le="0.0005"' in m)
    rc, log = s.stop()
    check("serve_sigterm_exit_0", rc == 0, rc)
    lines = [l for l in log.splitlines() if l.strip()]
    parsed = []
    for l in lines:
        try:
            parsed.append(json.loads(l))
        except ValueError:
            parsed.append(None)
    check("log_every_line_json", all(parsed), [l for l, p in zip(lines, parsed) if not p][:3])
    check("log_lines_have_ts_level_msg",
          all(p and {"ts", "level", "module", "msg"} <= set(p) for p in parsed))
    access = [p for p in parsed if p and p.get("msg") == "admission"]
    check("log_one_access_line_per_request", len(access) == 8, len(access))
    first = access[0] if access else {}
    fields = {"uid", "namespace", "pod", "role", "verdict", "features", "patch_ops", "dur_us",
              "status"}
    check("log_access_fields", fields <= set(first), sorted(set(first)))
    check("log_access_values", first.get("verdict") == "patched" and
          first.get("features") == ["aws-irsa"] and first.get("role") == "executor" and
          first.get("patch_ops", 0) > 0, first)
    check("log_startup_lines", any("starting" in (p or {}).get("msg", "") for p in parsed))
    check("log_no_secret_values", secret and secret not in log, "secret %r" % secret)
    env_values = [e.get("value") for c in json.loads(executor)["request"]["object"]["spec"]
                  ["containers"] for e in c.get("env", []) if len(e.get("value") or "") >= 12]
    leaked = [v for v in env_values if v in log]
    check("log_no_env_values", env_values and not leaked, leaked[:3])
    # The text format, for humans.
    t = Server(work, certs, ["--log-format", "text"])
    t.post(executor)
    _, tlog = t.stop()
    check("log_text_format", re.search(r"^\S+ info +http\.c: admission \{", tlog, re.M), tlog[-500:])


def cli(work, certs):
    rc, out, _ = run("--help")
    check("cli_help_exit_0", rc == 0 and "usage: sparkhook serve" in out and "explain" in out)
    rc, out, _ = run("--version")
    check("cli_version", rc == 0 and re.match(r"sparkhook \d+\.\d+\.\d+", out), out)
    rc, _, err = run("frobnicate")
    check("cli_unknown_command_exit_2", rc == 2 and "unknown command" in err, (rc, err))
    rc, _, err = run("serve", "--tls-cert", "x")
    check("cli_serve_missing_key_exit_2", rc == 2, rc)
    rc, _, err = run("serve", "--bogus")
    check("cli_unknown_option_exit_2", rc == 2, rc)
    rc, _, err = run("serve", "--listen", "127.0.0.1:0", "--tls-cert", "/nonexistent",
                     "--tls-key", "/nonexistent")
    check("cli_serve_bad_cert_exit_2", rc == 2 and "/nonexistent" in err, (rc, err[-300:]))
    good = os.path.join(work, "good.json")
    with open(good, "w") as f:
        json.dump({"aws": {"region": "eu-west-1"}}, f)
    rc, out, err = run("check-config", good)
    check("cli_check_config_ok", rc == 0 and json.loads(out)["aws"]["region"] == "eu-west-1" and
          "configuration OK" in err, (rc, err))
    bad = os.path.join(work, "bad.json")
    with open(bad, "w") as f:
        json.dump({"aws": {"regoin": "eu-west-1"}}, f)
    rc, _, err = run("check-config", bad)
    check("cli_check_config_unknown_key_exit_2", rc == 2 and "aws.regoin" in err, (rc, err))
    rc, _, _ = run("check-config")
    check("cli_check_config_no_file_exit_2", rc == 2)
    objects = os.path.join(FIX, "objects.json")
    review = os.path.join(FIX, "reviews/spark-3.5-executor.json")
    rc, out, _ = run("mutate", "--objects", objects, review)
    check("cli_mutate_response", rc == 0 and "patch" in json.loads(out)["response"])
    rc, out, _ = run("mutate", "--objects", objects, "--output", "patch", review)
    check("cli_mutate_patch", rc == 0 and json.loads(out)[0]["op"] == "add")
    rc, out, _ = run("mutate", "--objects", objects, "--output", "pod", review)
    pod = json.loads(out) if rc == 0 else {}
    check("cli_mutate_pod", any(v.get("name") == "aws-iam-token"
                                for v in pod.get("spec", {}).get("volumes", [])))
    bare = json.dumps(json.load(open(review))["request"]["object"])
    rc, out, _ = run("mutate", "--objects", objects, "--output", "patch", "-", stdin=bare)
    check("cli_mutate_bare_pod_stdin", rc == 0 and "AWS_ROLE_ARN" in out, (rc, out[:200]))
    rc, out, err = run("mutate", "-", stdin="{broken")
    check("cli_mutate_bad_input_exit_1", rc == 1 and
          json.loads(out)["response"]["status"]["code"] == 400, (rc, out, err))
    rc, _, _ = run("mutate", "--output", "yaml", review)
    check("cli_mutate_bad_output_exit_2", rc == 2)
    rc, out, _ = run("explain", "--namespace", "spark-jobs", "--service-account", "spark",
                     "--objects", objects)
    check("cli_explain_injects_exit_0", rc == 0 and "AWS_ROLE_ARN" in out and
          "from serviceaccount annotation eks.amazonaws.com/role-arn" in out, (rc, out[-400:]))
    rc, out, _ = run("explain", "--namespace", "analytics", "--objects", objects)
    check("cli_explain_nothing_exit_3", rc == 3 and "not opted in" in out, (rc, out))
    rc, _, _ = run("explain", "--objects", objects)
    check("cli_explain_needs_namespace_exit_2", rc == 2)
    rc, _, _ = run("explain", "--namespace", "x", "--role", "leader")
    check("cli_explain_bad_role_exit_2", rc == 2)


def main():
    os.makedirs(SCRATCH, exist_ok=True)
    work = tempfile.mkdtemp(prefix="obs.", dir=SCRATCH)
    certs = os.path.join(work, "certs")
    subprocess.run([os.path.join(SRC, "certs/gen-dev-certs.sh"), certs], check=True)
    metrics_and_logs(work, certs)
    cli(work, certs)
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    if passed == len(results):
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if passed == len(results) else 1)


main()
