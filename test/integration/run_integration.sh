#!/usr/bin/env bash
# run_integration.sh SPARKHOOK SOURCE_DIR SCRATCH_DIR
#
# End-to-end test of `sparkhook serve`: starts the real server on 127.0.0.1
# (port 0) with throwaway certificates, the example namespaces/service accounts
# and a 64 KiB body cap, then talks to it over HTTPS with curl (CA-verified,
# hostname "localhost") and openssl. Each check prints "ok NAME" or
# "FAIL NAME: why"; the last line is "N passed, N failed" and the exit status
# is non-zero on any failure. The run's files go to a fresh directory under
# SCRATCH_DIR, removed when every check passed (KEEP_SCRATCH=1 keeps it).
#
# Requests live in cases/; JSON is checked with python3 (json, base64) and
# patches are applied with the Debian python3-jsonpatch (/usr/bin/python3).
set -u

BIN=${1:?usage: run_integration.sh SPARKHOOK SOURCE_DIR SCRATCH_DIR}
SRC=${2:?usage: run_integration.sh SPARKHOOK SOURCE_DIR SCRATCH_DIR}
SCRATCH=${3:?usage: run_integration.sh SPARKHOOK SOURCE_DIR SCRATCH_DIR}

PY=/usr/bin/python3
CASES=$SRC/test/integration/cases
OBJECTS=$SRC/deploy/examples/objects.json
CAP=65536         # server.maxBodyBytes for this run
CURL_TIMEOUT=10   # seconds, every curl and openssl call
STARTUP_TIMEOUT=15
STOP_TIMEOUT=10
WATCHDOG_SECONDS=280 # kills the server even if this script is killed itself

# Values the examples expect (deploy/examples/objects.json, default config).
ROLE_ARN=arn:aws:iam::111122223333:role/spark-jobs-s3
TOKEN_DIR=/var/run/secrets/eks.amazonaws.com/serviceaccount

mkdir -p "$SCRATCH" || exit 1
WORK=$(mktemp -d "$SCRATCH/run.XXXXXX") || exit 1
LOG=$WORK/server.log      # the server's stderr: JSON log lines
STATUSES=$WORK/statuses   # one line per HTTP response received, for the access log check
CA=$WORK/certs/ca.pem
: >"$STATUSES"

SERVER_PID=
WATCHDOG_PID=
PORT=
PASS=0
FAIL=0
FINISHED=0

ok() {
  echo "ok $1"
  PASS=$((PASS + 1))
}

fail() {
  echo "FAIL $1: $2"
  FAIL=$((FAIL + 1))
}

# ---- server lifecycle -------------------------------------------------------

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  if [ -n "$WATCHDOG_PID" ]; then
    kill -TERM "$WATCHDOG_PID" 2>/dev/null
    wait "$WATCHDOG_PID" 2>/dev/null
  fi
  if [ "$FINISHED" = 1 ] && [ "$FAIL" -eq 0 ] && [ "${KEEP_SCRATCH:-0}" != 1 ]; then
    rm -rf "$WORK"
  else
    echo "# files of this run kept in $WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# Prints the port from the "serving https on ... (port N)" log line.
read_port() {
  "$PY" - "$LOG" <<'PY'
import json, re, sys
for line in open(sys.argv[1], errors="replace"):
    try:
        rec = json.loads(line)
    except ValueError:
        continue
    m = re.search(r"serving https on .* \(port (\d+)\)", str(rec.get("msg", "")))
    if m:
        print(m.group(1))
        sys.exit(0)
sys.exit(1)
PY
}

start_server() {

  "$SRC/certs/gen-dev-certs.sh" "$WORK/certs" || {
    fail server_start "gen-dev-certs.sh failed"
    return 1
  }
  printf '{"server":{"maxBodyBytes":%d}}\n' "$CAP" >"$WORK/config.json"
  # stdout/stderr go to files so that a leftover process never holds ctest's pipes.
  "$BIN" serve --listen 127.0.0.1:0 --tls-cert "$WORK/certs/tls.crt" \
    --tls-key "$WORK/certs/tls.key" --objects "$OBJECTS" --config "$WORK/config.json" \
    --log-format json </dev/null >"$WORK/server.out" 2>"$LOG" &
  SERVER_PID=$!
  # The watchdog kills the server if this script dies without running its trap.
  (
    sleep "$WATCHDOG_SECONDS" &
    nap=$!
    trap 'kill "$nap" 2>/dev/null; exit 0' TERM
    wait "$nap"
    kill -KILL "$SERVER_PID" 2>/dev/null
  ) </dev/null >/dev/null 2>&1 &
  WATCHDOG_PID=$!
  for _ in $(seq $((STARTUP_TIMEOUT * 10))); do
    PORT=$(read_port) && break
    PORT=
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$PORT" ]; then
    fail server_start "no \"serving https\" log line within ${STARTUP_TIMEOUT}s; log: $(tail -c 1000 "$LOG")"
    return 1
  fi
  ok server_start
  echo "# server pid $SERVER_PID on https://localhost:$PORT (127.0.0.1), log $LOG"
}

# ---- HTTP and JSON helpers --------------------------------------------------

# https NAME CURL_ARGS...: one curl run against the server, real verification
# against the dev CA with the name "localhost". Body, headers and curl's stderr
# go to $WORK/NAME.{body,hdr,err}; CODE is the HTTP status (000: none), recorded
# in $STATUSES for the access log check.
https() {
  local name=$1
  shift
  CODE=$(curl -sS --noproxy '*' --max-time "$CURL_TIMEOUT" --cacert "$CA" \
    --resolve "localhost:$PORT:127.0.0.1" -o "$WORK/$name.body" -D "$WORK/$name.hdr" \
    -w '%{http_code}' "$@" 2>"$WORK/$name.err")
  [ -n "$CODE" ] || CODE=000
  [ "$CODE" = 000 ] || echo "$CODE" >>"$STATUSES"
}

url() {
  echo "https://localhost:$PORT${1:-/mutate}"
}

# post NAME FILE [CURL_ARGS...]: POST FILE to /mutate as application/json.
post() {
  local name=$1 file=$2
  shift 2
  https "$name" -H 'Content-Type: application/json' --data-binary "@$file" "$@" "$(url)"
}

# json_expect FILE EXPR...: each EXPR is a Python expression over d (FILE parsed
# as JSON), r (d["response"] when present), json and base64. Prints the first
# failing one and returns 1.
json_expect() {
  "$PY" - "$@" <<'PY'
import base64, json, sys
path, exprs = sys.argv[1], sys.argv[2:]
with open(path, "rb") as f:
    raw = f.read()
try:
    d = json.loads(raw)
except ValueError as e:
    print("not JSON (%s): %r" % (e, raw[:200]))
    sys.exit(1)
r = d.get("response") if isinstance(d, dict) else None
for e in exprs:
    try:
        good = eval(e, {"json": json, "base64": base64}, {"d": d, "r": r})
    except Exception as ex:
        print("%s: %s: %s; body %s" % (e, type(ex).__name__, ex, raw[:300].decode(errors="replace")))
        sys.exit(1)
    if not good:
        print("not true: %s; body %s" % (e, raw[:300].decode(errors="replace")))
        sys.exit(1)
PY
}

# header_value NAME HEADER: the value of HEADER in the last response of NAME.
header_value() {
  tr -d '\r' <"$WORK/$1.hdr" | awk -v h="$2" '
    tolower($0) ~ "^" tolower(h) ":" { sub(/^[^:]*:[ \t]*/, ""); v = $0 } END { print v }'
}

# uid_of FILE: request.uid of a review file.
uid_of() {
  "$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["request"]["uid"])' "$1"
}

# apply_patch REVIEW RESPONSE CONTAINER OUT: decodes the response's patch, checks
# it carries the IRSA settings, applies it to request.object with python3-jsonpatch,
# checks the patched pod and writes a new review of it (uid + "-again") to OUT.
apply_patch() {
  "$PY" - "$@" "$ROLE_ARN" "$TOKEN_DIR" <<'PY'
import base64, copy, json, sys
import jsonpatch

review_path, resp_path, ctr_name, out_path, role_arn, token_dir = sys.argv[1:]
review = json.load(open(review_path))
resp = json.load(open(resp_path))["response"]
try:
    text = base64.b64decode(resp["patch"], validate=True)
except Exception as e:
    sys.exit("patch is not standard base64: %s" % e)
ops = json.loads(text)
if not isinstance(ops, list) or not ops:
    sys.exit("patch is not a non-empty JSON array")
for op in ops:
    if not isinstance(op, dict) or op.get("op") not in ("add", "replace", "remove", "test") \
            or not str(op.get("path", "")).startswith("/"):
        sys.exit("not a JSON patch op: %r" % (op,))
for needle in ("AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_REGION", "eu-west-1",
               "AWS_STS_REGIONAL_ENDPOINTS", "regional", "aws-iam-token"):
    if needle.encode() not in text:
        sys.exit("patch ops do not mention %s: %s" % (needle, text[:400]))

pod = review["request"]["object"]
try:
    patched = jsonpatch.apply_patch(pod, ops)
except Exception as e:
    sys.exit("jsonpatch cannot apply the patch: %s: %s" % (type(e).__name__, e))

ctr = next((c for c in patched["spec"]["containers"] if c["name"] == ctr_name), None)
if ctr is None:
    sys.exit("container %s gone after the patch" % ctr_name)
env = {e["name"]: e.get("value") for e in ctr.get("env", [])}
want = {
    "AWS_ROLE_ARN": role_arn,
    "AWS_WEB_IDENTITY_TOKEN_FILE": token_dir + "/token",
    "AWS_REGION": "eu-west-1",
    "AWS_STS_REGIONAL_ENDPOINTS": "regional",
}
for k, v in want.items():
    if env.get(k) != v:
        sys.exit("patched container env %s=%r, want %r" % (k, env.get(k), v))
orig_ctr = next(c for c in pod["spec"]["containers"] if c["name"] == ctr_name)
orig_env = orig_ctr.get("env", [])
if ctr["env"][:len(orig_env)] != orig_env:
    sys.exit("the patch changed or reordered the pod's own env")
mounts = [m for m in ctr.get("volumeMounts", []) if m["name"] == "aws-iam-token"]
if len(mounts) != 1 or mounts[0].get("mountPath") != token_dir or mounts[0].get("readOnly") is not True:
    sys.exit("aws-iam-token mount: %r" % (mounts,))
vols = [v for v in patched["spec"].get("volumes", []) if v["name"] == "aws-iam-token"]
if len(vols) != 1:
    sys.exit("want one volume aws-iam-token, got %r" % (vols,))
sat = [s["serviceAccountToken"] for s in vols[0].get("projected", {}).get("sources", [])
       if "serviceAccountToken" in s]
if not sat or sat[0].get("audience") != "sts.amazonaws.com" or sat[0].get("path") != "token":
    sys.exit("aws-iam-token is not a projected sts.amazonaws.com token: %r" % (vols[0],))
for v in pod["spec"].get("volumes", []):
    if v not in patched["spec"]["volumes"]:
        sys.exit("the patch dropped volume %s" % v["name"])

again = copy.deepcopy(review)
again["request"]["uid"] += "-again"
again["request"]["object"] = patched
json.dump(again, open(out_path, "w"), indent=1)
PY
}

# ---- 1-3: reviews that are allowed -----------------------------------------

# check_spark_patched NAME CASE API_VERSION CONTAINER
check_spark_patched() {
  local name=$1 review=$CASES/$2 api=$3 ctr=$4 uid why

  uid=$(uid_of "$review")
  post "$name" "$review"
  if [ "$CODE" != 200 ]; then
    fail "$name" "HTTP $CODE, want 200; body $(head -c 300 "$WORK/$name.body" 2>/dev/null)"
    return
  fi
  why=$(json_expect "$WORK/$name.body" \
    "d['apiVersion'] == '$api'" "d['kind'] == 'AdmissionReview'" \
    "r['uid'] == '$uid'" "r['allowed'] is True" "r['patchType'] == 'JSONPatch'" \
    "isinstance(r['patch'], str) and len(r['patch']) > 0" "'status' not in r") ||
    { fail "$name" "$why"; return; }
  case $(header_value "$name" Content-Type) in
  application/json*) ;;
  *) fail "$name" "Content-Type $(header_value "$name" Content-Type)"; return ;;
  esac
  ok "$name"

  why=$(apply_patch "$review" "$WORK/$name.body" "$ctr" "$WORK/$name.again.json" 2>&1) ||
    { fail "${name}_patch_applies" "$why"; return; }
  ok "${name}_patch_applies"

  post "${name}_idempotent" "$WORK/$name.again.json"
  why=$(json_expect "$WORK/${name}_idempotent.body" "d['apiVersion'] == '$api'" \
    "r['uid'] == '$uid-again'" "r['allowed'] is True" \
    "'patch' not in r and 'patchType' not in r") ||
    { fail "${name}_idempotent" "HTTP $CODE: $why"; return; }
  [ "$CODE" = 200 ] || { fail "${name}_idempotent" "HTTP $CODE, want 200"; return; }
  ok "${name}_idempotent"
}

# check_not_patched NAME CASE: allowed, uid echoed, no patch.
check_not_patched() {
  local name=$1 review=$CASES/$2 uid why

  uid=$(uid_of "$review")
  post "$name" "$review"
  [ "$CODE" = 200 ] || { fail "$name" "HTTP $CODE, want 200"; return; }
  why=$(json_expect "$WORK/$name.body" "d['apiVersion'] == 'admission.k8s.io/v1'" \
    "r['uid'] == '$uid'" "r['allowed'] is True" "'patch' not in r and 'patchType' not in r") ||
    { fail "$name" "$why"; return; }
  ok "$name"
}

# ---- 4: bad input -------------------------------------------------------------

# expect_refusal NAME STATUS CURL_ARGS...: the answer is STATUS with a JSON
# AdmissionReview whose response.status carries the code and a message.
expect_refusal() {
  local name=$1 want=$2 why
  shift 2

  https "$name" "$@"
  if [ "$CODE" != "$want" ]; then
    fail "$name" "HTTP $CODE, want $want; $(head -c 300 "$WORK/$name.body" 2>/dev/null) $(head -c 200 "$WORK/$name.err")"
    return 1
  fi
  why=$(json_expect "$WORK/$name.body" "d['kind'] == 'AdmissionReview'" \
    "r['allowed'] is False" "r['status']['code'] == $want" \
    "isinstance(r['status']['message'], str) and r['status']['message'].strip() != ''") ||
    { fail "$name" "$why"; return 1; }
  case $(header_value "$name" Content-Type) in
  application/json*) ;;
  *) fail "$name" "Content-Type $(header_value "$name" Content-Type)"; return 1 ;;
  esac
  ok "$name"
}

make_bad_bodies() {
  local half
  printf 'this is not JSON {' >"$WORK/not-json.txt"
  half=$(($(wc -c <"$CASES/spark-executor.json") / 2))
  head -c "$half" "$CASES/spark-executor.json" >"$WORK/truncated.json"
  "$PY" - "$WORK" "$CAP" <<'PY'
import sys
work, cap = sys.argv[1], int(sys.argv[2])
open(work + "/at-cap.bin", "w").write("x" * cap)          # garbage, exactly the cap
open(work + "/over-cap.bin", "w").write("x" * (cap + 1))  # one byte over
deep = 5000
open(work + "/deep.json", "w").write(
    '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"deep-1",'
    '"object":{"metadata":{"annotations":' + "[" * deep + "]" * deep + "}}}}")
PY
}

check_bad_input() {
  local ct='Content-Type: application/json' name

  make_bad_bodies
  expect_refusal bad_not_json 400 -H "$ct" --data-binary "@$WORK/not-json.txt" "$(url)"
  expect_refusal bad_truncated_json 400 -H "$ct" --data-binary "@$WORK/truncated.json" "$(url)"
  expect_refusal bad_content_type_text 415 -H 'Content-Type: text/plain' \
    --data-binary "@$CASES/spark-executor.json" "$(url)"
  expect_refusal bad_content_type_missing 415 -H 'Content-Type:' \
    --data-binary "@$CASES/spark-executor.json" "$(url)"
  if expect_refusal bad_method_get 405 "$(url)"; then
    [ "$(header_value bad_method_get Allow)" = POST ] ||
      fail bad_method_get_allow "Allow: '$(header_value bad_method_get Allow)', want POST"
  fi
  expect_refusal bad_path 404 -H "$ct" --data-binary "@$CASES/spark-executor.json" "$(url /other)"
  expect_refusal bad_body_at_cap 400 -H "$ct" --data-binary "@$WORK/at-cap.bin" "$(url)"
  expect_refusal bad_body_over_cap 413 -H "$ct" --data-binary "@$WORK/over-cap.bin" "$(url)"
  expect_refusal bad_body_over_cap_chunked 413 -H "$ct" -H 'Transfer-Encoding: chunked' \
    --data-binary "@$WORK/over-cap.bin" "$(url)"
  expect_refusal bad_deep_json 400 -H "$ct" --data-binary "@$WORK/deep.json" "$(url)"
  for name in missing-uid object-configmap containers-not-array env-not-array api-version; do
    expect_refusal "bad_${name//-/_}" 400 -H "$ct" --data-binary "@$CASES/bad-$name.json" "$(url)"
  done
  # The server still works after all that.
  check_spark_patched served_after_bad_input spark-executor.json admission.k8s.io/v1 \
    spark-kubernetes-executor
}

# ---- 5: keep-alive --------------------------------------------------------------

check_keep_alive() {
  local out codes connects why

  out=$(curl -sS -v --noproxy '*' --max-time "$CURL_TIMEOUT" --cacert "$CA" \
    --resolve "localhost:$PORT:127.0.0.1" -H 'Content-Type: application/json' \
    --data-binary "@$CASES/non-spark.json" -o "$WORK/keepalive1.body" -o "$WORK/keepalive2.body" \
    -w '%{http_code} %{num_connects}\n' "$(url)" "$(url)" 2>"$WORK/keepalive.err")
  codes=$(echo "$out" | awk '{ printf "%s ", $1 }')
  connects=$(echo "$out" | awk '{ n += $2 } END { print n + 0 }')
  for c in $codes; do [ "$c" = 000 ] || echo "$c" >>"$STATUSES"; done
  [ "$codes" = "200 200 " ] || { fail keep_alive "HTTP codes '$codes', want '200 200'"; return; }
  for b in 1 2; do
    why=$(json_expect "$WORK/keepalive$b.body" "r['allowed'] is True") ||
      { fail keep_alive "response $b: $why"; return; }
  done
  [ "$connects" = 1 ] || { fail keep_alive "$connects connections for 2 requests, want 1"; return; }
  grep -q 'Re-using existing connection' "$WORK/keepalive.err" ||
    { fail keep_alive "curl did not re-use the connection"; return; }
  ok keep_alive
}

# An answer is one TLS record (its header and body together): one record to
# read for the client, one write for the server. Counted from what an OpenSSL
# client logs of every record it receives (-msg): application data records
# after the request, at TLS 1.2 (the record's own type) and 1.3 (the inner type).
check_one_record() {
  local v what n len why code
  len=$(stat -c %s "$CASES/spark-executor.json")
  for v in 1_2 1_3; do
    [ "$v" = 1_2 ] && what=RecordHeader || what=InnerContent
    { printf 'POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n'
      printf 'Content-Length: %d\r\nConnection: close\r\n\r\n' "$len"
      cat "$CASES/spark-executor.json"; } |
      timeout "$CURL_TIMEOUT" openssl s_client -connect "127.0.0.1:$PORT" -servername localhost \
        -CAfile "$CA" "-tls$v" -quiet -msg -msgfile "$WORK/record$v.msg" >"$WORK/record$v.out" \
        2>"$WORK/record$v.err"
    code=$(head -1 "$WORK/record$v.out" | awk '{ print $2 }')
    [ -n "$code" ] && echo "$code" >>"$STATUSES"
    head -1 "$WORK/record$v.out" | grep -q '^HTTP/1.1 200' ||
      { fail "one_record_tls$v" "no HTTP 200: $(head -c 200 "$WORK/record$v.out") $(tail -2 "$WORK/record$v.err")"; continue; }
    sed '1,/^\r\{0,1\}$/d' "$WORK/record$v.out" >"$WORK/record$v.body"
    why=$(json_expect "$WORK/record$v.body" "r['allowed'] is True and r.get('patch')") ||
      { fail "one_record_tls$v" "answer: $why"; continue; }
    n=$(awk -v w="$what" '$1 == "<<<" && $0 ~ w { getline; if ($1 == "17") n++ } END { print n + 0 }' \
      "$WORK/record$v.msg")
    [ "$n" = 1 ] || { fail "one_record_tls$v" "$n application data records for one answer, want 1"; continue; }
    ok "one_record_tls$v"
  done
}

# ---- 6: TLS ----------------------------------------------------------------------

check_tls_version() { # NAME VERSION
  local name=$1 v=$2
  post "$name" "$CASES/non-spark.json" --tlsv"$v" --tls-max "$v" -v
  [ "$CODE" = 200 ] || { fail "$name" "HTTP $CODE: $(grep -i 'ssl\|tls\|curl:' "$WORK/$name.err" | tail -3)"; return; }
  grep -q "SSL connection using TLSv$v" "$WORK/$name.err" ||
    { fail "$name" "negotiated $(grep 'SSL connection using' "$WORK/$name.err")"; return; }
  ok "$name"
}

check_tls() {
  local out

  check_tls_version tls12_accepted 1.2
  check_tls_version tls13_accepted 1.3

  # TLS 1.1: the client is told to allow it (SECLEVEL=0) and does send a TLS 1.1
  # ClientHello, so the refusal is the server's.
  post tls11_refused_curl "$CASES/non-spark.json" --tlsv1.1 --tls-max 1.1 \
    --ciphers 'DEFAULT@SECLEVEL=0' -v
  if [ "$CODE" != 000 ]; then
    fail tls11_refused_curl "HTTP $CODE over TLS 1.1"
  elif ! grep -q 'TLSv1.1 (OUT), TLS handshake, Client hello' "$WORK/tls11_refused_curl.err"; then
    fail tls11_refused_curl "curl sent no TLS 1.1 ClientHello: $(tail -2 "$WORK/tls11_refused_curl.err")"
  elif grep -q 'SSL connection using' "$WORK/tls11_refused_curl.err"; then
    fail tls11_refused_curl "handshake completed"
  else
    ok tls11_refused_curl
  fi

  out=$(timeout "$CURL_TIMEOUT" openssl s_client -connect "127.0.0.1:$PORT" -servername localhost \
    -CAfile "$CA" -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' -msg </dev/null 2>&1)
  if ! echo "$out" | grep -q '^>>> TLS 1.1, Handshake .*ClientHello'; then
    fail tls11_refused_openssl "openssl sent no TLS 1.1 ClientHello: $(echo "$out" | tail -3)"
  elif echo "$out" | grep -q '^<<< .*ServerHello'; then
    fail tls11_refused_openssl "the server answered a TLS 1.1 ClientHello with a ServerHello"
  else
    ok tls11_refused_openssl
  fi

  # Plain HTTP on the TLS port gets no HTTP answer, and HTTPS still works after it.
  CODE=$(curl -sS --noproxy '*' --max-time "$CURL_TIMEOUT" -o "$WORK/plain.body" -w '%{http_code}' \
    --resolve "localhost:$PORT:127.0.0.1" -H 'Content-Type: application/json' \
    --data-binary "@$CASES/non-spark.json" "http://localhost:$PORT/mutate" 2>"$WORK/plain.err")
  if [ "${CODE:-000}" = 000 ]; then
    ok plain_http_refused
  else
    fail plain_http_refused "plain HTTP got HTTP $CODE"
    echo "$CODE" >>"$STATUSES"
  fi
  check_not_patched https_after_plain_http non-spark.json
}

# ---- 8: shutdown -------------------------------------------------------------

check_sigterm() {
  local rc

  kill -TERM "$SERVER_PID"
  for _ in $(seq $((STOP_TIMEOUT * 10))); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    fail sigterm_exit "still running ${STOP_TIMEOUT}s after SIGTERM"
    kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
    return
  fi
  wait "$SERVER_PID"
  rc=$?
  SERVER_PID=
  [ "$rc" = 0 ] || { fail sigterm_exit "exit status $rc, want 0; $(tail -c 1500 "$LOG")"; return; }
  ok sigterm_exit
}

check_sanitizers() {
  if grep -qE 'ERROR: (Address|Leak|Thread|Memory)Sanitizer|WARNING: ThreadSanitizer|runtime error:' "$LOG"; then
    fail no_sanitizer_reports "$(grep -m3 -E 'Sanitizer|runtime error:' "$LOG")"
  else
    ok no_sanitizer_reports
  fi
}

# ---- 7: access log (read after the server stopped: every line is written) ------

check_log() {
  local out line

  out=$("$PY" - "$LOG" "$STATUSES" "$CASES" <<'PY'
import collections, glob, json, sys

log_path, statuses_path, cases = sys.argv[1:]
text = open(log_path, encoding="utf-8", errors="replace").read()
results = []

def check(name, why):
    results.append("ok " + name if not why else "FAIL %s: %s" % (name, why))

recs, bad = [], []
for n, line in enumerate(text.splitlines(), 1):
    try:
        rec = json.loads(line)
        if not isinstance(rec, dict) or not {"ts", "level", "msg"} <= rec.keys():
            raise ValueError("not a log record")
        recs.append(rec)
    except ValueError:
        bad.append("line %d: %.120s" % (n, line))
check("log_lines_json", "; ".join(bad[:3]))

access = [r for r in recs if r["msg"] == "admission"]
got = collections.Counter(r.get("status") for r in access)
want = collections.Counter(int(s) for s in open(statuses_path).read().split())
why = ""
if got != want:
    why = "%d access lines for %d responses; logged-but-not-answered %s, answered-but-not-logged %s" % (
        len(access), sum(want.values()), dict(got - want), dict(want - got))
check("log_one_access_line_per_request", why)

why = []
for r in access:
    if not isinstance(r.get("status"), int) or not isinstance(r.get("dur_us"), int):
        why.append("no int status/dur_us: %s" % r)
    if "verdict" in r or "uid" in r:  # a review that reached the pipeline
        for k in ("uid", "namespace", "verdict"):
            if not isinstance(r.get(k), str):
                why.append("review line without %s: %s" % (k, r))
expect = {  # uid -> (namespace, verdict, status)
    "7c1f4f3e-1a2b-4c5d-8e9f-000000000001": ("spark-jobs", "patched", 200),
    "7c1f4f3e-1a2b-4c5d-8e9f-000000000001-again": ("spark-jobs", "allowed", 200),
    "7c1f4f3e-1a2b-4c5d-8e9f-000000000002": ("spark-jobs", "patched", 200),
    "7c1f4f3e-1a2b-4c5d-8e9f-000000000003": ("spark-jobs", "skipped", 200),
    "7c1f4f3e-1a2b-4c5d-8e9f-000000000004": ("default", "skipped", 200),
    "7c1f4f3e-1a2b-4c5d-8e9f-000000000005": ("spark-jobs", "patched", 200),
    "7c1f4f3e-1a2b-4c5d-8e9f-0000000000b4": ("spark-jobs", "invalid", 400),
}
seen = set()
for r in access:
    if r.get("uid") in expect:
        seen.add(r["uid"])
        got_t = (r.get("namespace"), r.get("verdict"), r.get("status"))
        if got_t != expect[r["uid"]]:
            why.append("uid %s: logged %s, want %s" % (r["uid"], got_t, expect[r["uid"]]))
for uid in sorted(set(expect) - seen):
    why.append("no access line for uid %s" % uid)
for r in access:
    if r.get("status") in (404, 405, 413, 415) and "verdict" in r:
        why.append("refused before the pipeline but has a verdict: %s" % r)
check("log_access_fields", "; ".join(why[:4]))

# Every env value of every request sent must stay out of the log.
secrets = set()
def walk(x):
    if isinstance(x, dict):
        env = x.get("env")
        if isinstance(env, list):
            secrets.update(e["value"] for e in env if isinstance(e, dict) and isinstance(e.get("value"), str))
        elif isinstance(env, dict):
            secrets.update(v for v in env.values() if isinstance(v, str))
        for v in x.values():
            walk(v)
    elif isinstance(x, list):
        for v in x:
            walk(v)
for path in glob.glob(cases + "/*.json"):
    walk(json.load(open(path)))
secrets = {s for s in secrets if len(s) >= 8}
leaked = sorted(s for s in secrets if s in text)
why = ""
if not any(s.startswith("do-not-log-") for s in secrets):
    why = "no SPARK_AUTH_SECRET value found in cases/ (check is vacuous)"
elif leaked:
    why = "env values in the log: %s" % leaked[:3]
check("log_no_env_values", why)
print("\n".join(results))
PY
)
  while IFS= read -r line; do
    case $line in
    "ok "*) ok "${line#ok }" ;;
    "FAIL "*)
      line=${line#FAIL }
      fail "${line%%: *}" "${line#*: }"
      ;;
    *) [ -z "$line" ] || fail log_checks "unexpected output: $line" ;;
    esac
  done <<EOF
$out
EOF
}

# ---- main ------------------------------------------------------------------------

main() {
  if start_server; then
    # 1. executor and driver get the IRSA patch, idempotently
    check_spark_patched executor_v1_patched spark-executor.json admission.k8s.io/v1 \
      spark-kubernetes-executor
    check_spark_patched driver_v1_patched spark-driver.json admission.k8s.io/v1 \
      spark-kubernetes-driver
    # 2. v1beta1 in, v1beta1 out
    check_spark_patched executor_v1beta1_patched spark-executor-v1beta1.json \
      admission.k8s.io/v1beta1 spark-kubernetes-executor
    # 3. not ours
    check_not_patched non_spark_pod_allowed non-spark.json
    check_not_patched spark_pod_namespace_not_opted_in spark-executor-not-opted-in.json
    # 4-6
    check_bad_input
    check_keep_alive
    check_one_record
    check_tls
    # 8, then 7 on the complete log
    check_sigterm
    check_log
    check_sanitizers
  else
    check_sanitizers # a sanitizer report is the likeliest reason for a failed start
  fi
  if [ "$FAIL" -ne 0 ] && [ -s "$LOG" ]; then
    echo "# last lines of the server log:"
    tail -n 15 "$LOG" | sed 's/^/#   /'
  fi
  FINISHED=1
  echo "$PASS passed, $FAIL failed"
  [ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]
}

main
