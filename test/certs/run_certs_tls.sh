#!/usr/bin/env bash
# run_certs_tls.sh SPARKHOOK [SCRATCH_DIR]
#
# End-to-end test of `sparkhook certs generate`: makes a CA and serving
# certificate for --service sparkhook --namespace sparkhook-system, serves
# HTTPS with them (`sparkhook serve --listen 127.0.0.1:0`), and has two TLS
# stacks verify the server the way kube-apiserver will, against ca.crt and by
# DNS name: curl (OpenSSL) for each of the four subjectAltName names, and
# gnutls-cli (GnuTLS). A name not in the SANs and a CA from another run must
# fail verification. Any HTTP status (405 for a GET of /mutate) proves that the
# handshake, hostname check included, succeeded.
#
# Each check prints "ok NAME" or "FAIL NAME: why"; the last line is
# "N passed, N failed" and the exit status is non-zero on any failure. Files go
# to a fresh directory under SCRATCH_DIR (default: $TMPDIR or /tmp), removed
# when every check passed (KEEP_SCRATCH=1 keeps it).
set -u

BIN=${1:?usage: run_certs_tls.sh SPARKHOOK [SCRATCH_DIR]}
SCRATCH=${2:-${TMPDIR:-/tmp}}

SVC=sparkhook
NS=sparkhook-system
NAMES="$SVC $SVC.$NS $SVC.$NS.svc $SVC.$NS.svc.cluster.local"
WRONG_NAME=other.$NS.svc
TIMEOUT=10 # seconds, every client call
STARTUP_TIMEOUT=15

mkdir -p "$SCRATCH" || exit 1
WORK=$(mktemp -d "$SCRATCH/certs-tls.XXXXXX") || exit 1
CERTS=$WORK/certs
OTHER=$WORK/other # a second, unrelated CA
LOG=$WORK/server.log

SERVER_PID=
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

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null
    for _ in $(seq 50); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  if [ "$FINISHED" = 1 ] && [ "$FAIL" -eq 0 ] && [ "${KEEP_SCRATCH:-0}" != 1 ]; then
    rm -rf "$WORK"
  else
    echo "# files of this run kept in $WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- certificates ------------------------------------------------------------

generate() {
  local dir=$1
  "$BIN" certs generate --service "$SVC" --namespace "$NS" --out "$dir" \
    >"$dir.bundle" 2>"$dir.err"
}

if generate "$CERTS"; then
  ok generate
else
  fail generate "exit $?: $(cat "$CERTS.err")"
fi
if [ "$(base64 -w0 <"$CERTS/ca.crt")" = "$(cat "$CERTS.bundle")" ]; then
  ok ca_bundle_is_base64_of_ca_crt
else
  fail ca_bundle_is_base64_of_ca_crt "stdout: $(head -c 200 "$CERTS.bundle")"
fi
if generate "$OTHER"; then
  ok generate_other_ca
else
  fail generate_other_ca "exit $?: $(cat "$OTHER.err")"
fi
for n in $NAMES; do
  if out=$("$BIN" certs check "$CERTS/tls.crt" "$CERTS/tls.key" --ca "$CERTS/ca.crt" \
    --dns "$n" --min-days 300 2>&1); then
    ok "certs_check $n"
  else
    fail "certs_check $n" "exit $?: $out"
  fi
done

# ---- server ------------------------------------------------------------------

start_server() {
  # No --objects and no API server: the webhook serves, injecting nothing.
  # stdout/stderr go to files so that a leftover process never holds ctest's pipes.
  env -u KUBERNETES_SERVICE_HOST "$BIN" serve --listen 127.0.0.1:0 \
    --tls-cert "$CERTS/tls.crt" --tls-key "$CERTS/tls.key" --log-format json \
    </dev/null >"$WORK/server.out" 2>"$LOG" &
  SERVER_PID=$!
  for _ in $(seq $((STARTUP_TIMEOUT * 10))); do
    PORT=$(sed -n 's/.*"serving https on .* (port \([0-9][0-9]*\)).*/\1/p' "$LOG" | head -n 1)
    [ -n "$PORT" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$PORT" ]; then
    fail server_start "no \"serving https\" log line within ${STARTUP_TIMEOUT}s; log: $(tail -c 1000 "$LOG")"
    return 1
  fi
  ok server_start
  echo "# server pid $SERVER_PID on 127.0.0.1:$PORT, log $LOG"
}

# ---- clients -----------------------------------------------------------------

# curl_get NAME CA: GET https://NAME:PORT/mutate, NAME resolved to 127.0.0.1 and
# verified against CA. Sets CODE (HTTP status, 000 for none) and RC (curl's exit).
curl_get() {
  CODE=$(curl -sS --noproxy '*' --max-time "$TIMEOUT" --cacert "$2" \
    --resolve "$1:$PORT:127.0.0.1" -o /dev/null -w '%{http_code}' \
    "https://$1:$PORT/mutate" 2>"$WORK/curl.err")
  RC=$?
  [ -n "$CODE" ] || CODE=000
}

# gnutls NAME CA: a GnuTLS handshake with 127.0.0.1:PORT, sending NAME as SNI
# and verifying the certificate against CA for NAME. Sets RC; output in gnutls.out.
gnutls() {
  timeout "$TIMEOUT" gnutls-cli --x509cafile "$2" --verify-hostname "$1" --sni-hostname "$1" \
    -p "$PORT" 127.0.0.1 </dev/null >"$WORK/gnutls.out" 2>&1
  RC=$?
}

run_clients() {
  for n in $NAMES; do
    curl_get "$n" "$CERTS/ca.crt"
    if [ "$RC" = 0 ] && [ "$CODE" != 000 ]; then
      ok "curl $n (HTTP $CODE)"
    else
      fail "curl $n" "curl exit $RC, HTTP $CODE: $(head -c 300 "$WORK/curl.err")"
    fi
  done

  # 60: CURLE_PEER_FAILED_VERIFICATION
  curl_get "$WRONG_NAME" "$CERTS/ca.crt"
  if [ "$RC" = 60 ] && [ "$CODE" = 000 ]; then
    ok "curl rejects $WRONG_NAME"
  else
    fail "curl rejects $WRONG_NAME" "curl exit $RC (want 60), HTTP $CODE"
  fi
  curl_get "$SVC.$NS.svc" "$OTHER/ca.crt"
  if [ "$RC" = 60 ] && [ "$CODE" = 000 ]; then
    ok "curl rejects another CA"
  else
    fail "curl rejects another CA" "curl exit $RC (want 60), HTTP $CODE"
  fi

  for n in $NAMES; do
    gnutls "$n" "$CERTS/ca.crt"
    if [ "$RC" = 0 ] && grep -q "Handshake was completed" "$WORK/gnutls.out" &&
      grep -q "The certificate is trusted" "$WORK/gnutls.out"; then
      ok "gnutls-cli $n"
    else
      fail "gnutls-cli $n" "exit $RC: $(tail -c 400 "$WORK/gnutls.out")"
    fi
  done
  gnutls "$WRONG_NAME" "$CERTS/ca.crt"
  if [ "$RC" != 0 ] && grep -q "does not match the expected" "$WORK/gnutls.out"; then
    ok "gnutls-cli rejects $WRONG_NAME"
  else
    fail "gnutls-cli rejects $WRONG_NAME" "exit $RC: $(tail -c 400 "$WORK/gnutls.out")"
  fi
  gnutls "$SVC.$NS.svc" "$OTHER/ca.crt"
  if [ "$RC" != 0 ] && grep -q "NOT trusted" "$WORK/gnutls.out"; then
    ok "gnutls-cli rejects another CA"
  else
    fail "gnutls-cli rejects another CA" "exit $RC: $(tail -c 400 "$WORK/gnutls.out")"
  fi
}

if start_server; then
  run_clients
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    ok server_still_running
  else
    fail server_still_running "server exited; log: $(tail -c 1000 "$LOG")"
  fi
fi

FINISHED=1
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
