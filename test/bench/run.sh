#!/usr/bin/env bash
# test/bench/run.sh - sparkhook against a reference nginx, in one run on one machine.
#
# Starts sparkhook (serve, --objects test/fixtures/objects.json, --log-level warn)
# and a reference nginx (Debian's nginx-light) on the same TLS certificate; the
# nginx reads the same request body and answers a fixed response of exactly the
# size of sparkhook's answer to that request. Drives both with wrk (POST,
# keep-alive at 8 and 64 connections, and a new connection per request) with
# real Spark pod AdmissionReviews, and prints, for each run, requests/s,
# p50/p99/p99.9 latency, errors and peak RSS, the ratios sparkhook/nginx, and
# whether the targets of the benchmark issue are met. See test/bench/README.md.
#
# usage: test/bench/run.sh [--duration SECONDS] [--threads N] [--smoke]
#                          [--quick | --million-only] [--sparkhook BIN]
#                          [--build-dir DIR] [--keep]
#
# With no option it runs everything that judges a target: the matrix (3
# reviews x 8 and 64 keep-alive connections and a new connection per
# request, against nginx), the size sweep (sparkhook alone on the
# many-containers pod generated with 10, 25, 50, 100 and 200 containers: cost
# against size) and the million-request RSS run (1,000,000 requests at 8
# connections to a fresh sparkhook, VmRSS/VmHWM sampled every second).
#
#   --duration S    seconds per wrk run (default 10)
#   --threads N     wrk threads (default: number of cores)
#   --smoke         CI smoke: 1 s runs, a few scenarios, no thresholds judged
#   --quick         the matrix only (no sweep, no million-request run)
#   --million-only  only the RSS run (after the same setup and checks)
#   --sparkhook BIN use this binary instead of building one
#   --build-dir DIR where to build sparkhook (default build-bench, Release)
#   --keep          keep the temporary directory (configs, logs, wrk output)
#
# Exit status: 0 when every run completed without a single error (targets that
# are missed are reported, not fatal); 1 when any run had errors or a check
# failed; 2 on usage errors.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

duration=10
threads=""
smoke=0
million=1
matrix=1
sweep=1
sparkhook=""
build_dir="$top/build-bench"
keep=0

die() { echo "run.sh: $*" >&2; exit 1; }
usage() { sed -n '/^# usage:/,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//' | sed '$d'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=${2:?--duration needs SECONDS}; shift 2 ;;
    --threads) threads=${2:?--threads needs N}; shift 2 ;;
    --smoke) smoke=1; shift ;;
    --quick) million=0; sweep=0; shift ;;
    --million-only) million=1; matrix=0; sweep=0; shift ;;
    --sparkhook) sparkhook=${2:?--sparkhook needs BIN}; shift 2 ;;
    --build-dir) build_dir=${2:?--build-dir needs DIR}; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
case "$duration" in ''|*[!0-9]*|0) echo "run.sh: --duration wants whole seconds >= 1" >&2; exit 2 ;; esac
ncpu=$(nproc)
[ -n "$threads" ] || threads=$ncpu
case "$threads" in ''|*[!0-9]*|0) echo "run.sh: --threads wants N >= 1" >&2; exit 2 ;; esac
if [ "$smoke" -eq 1 ]; then
  duration=1
  million=0
  sweep=0
  matrix=1
fi

# ---- tools -----------------------------------------------------------------
need=""
command -v wrk >/dev/null 2>&1 || need="$need wrk"
[ -x /usr/sbin/nginx ] && [ -f /usr/lib/nginx/modules/ngx_http_echo_module.so ] || need="$need nginx-light"
for t in curl openssl python3; do command -v "$t" >/dev/null 2>&1 || need="$need $t"; done
if [ -n "$need" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "run.sh: installing$need from Debian" >&2
    # shellcheck disable=SC2086 # $need is a list of package names
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null; } ||
      die "cannot install$need"
  else
    die "missing$need (apt-get install$need)"
  fi
fi
nginx_bin=/usr/sbin/nginx

if [ -z "$sparkhook" ]; then
  echo "building sparkhook (Release) in $build_dir ..." >&2
  blog="${TMPDIR:-/tmp}/sparkhook-bench-build.$$.log"
  if ! { cmake -S "$top" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >"$blog" 2>&1 &&
    cmake --build "$build_dir" -j "$ncpu" --target sparkhook >>"$blog" 2>&1; }; then
    tail -30 "$blog" >&2
    die "build failed (log: $blog)"
  fi
  rm -f "$blog"
  sparkhook="$build_dir/server/sparkhook"
fi
[ -x "$sparkhook" ] || die "no sparkhook binary at $sparkhook"
sparkhook=$(cd "$(dirname "$sparkhook")" && pwd)/$(basename "$sparkhook")

# ---- temporary directory and cleanup -----------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sparkhook-bench.XXXXXX")
tmp=$(cd "$tmp" && pwd)
pids=() # every server process this script started (sparkhook, nginx master)
sampler_pid=""

stop_pid() { # stop_pid PID SIGNAL: signal one process we started, wait for it
  local pid=$1 sig=$2 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  local p
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null
  for p in "${pids[@]}"; do stop_pid "$p" TERM; done
  if [ "$keep" -eq 1 ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# the machine-pause probe (pauses.c): how long the machine itself stood still
# during each run
cc -O2 -pthread -o "$tmp/pauses" "$here/pauses.c" 2>"$tmp/pauses.log" ||
  { cat "$tmp/pauses.log" >&2; die "cannot build test/bench/pauses.c"; }

# ---- inputs: certificate, request bodies, ports --------------------------------
sh "$top/certs/gen-dev-certs.sh" "$tmp/certs" >/dev/null
cert="$tmp/certs/tls.crt"
key="$tmp/certs/tls.key"
ca="$tmp/certs/ca.pem"

# The fixtures are indented for reading; kube-apiserver sends compact JSON, so
# the bodies are the fixtures re-serialized compactly, key order and strings kept.
all_cases="d24 e35 many"
case_file() {
  case "$1" in
    d24) echo spark-2.4-driver ;;
    e35) echo spark-3.5-executor ;;
    many) echo pod-many-containers ;;
  esac
}
mkdir -p "$tmp/body" "$tmp/resp" "$tmp/wrk"
for c in $all_cases; do
  python3 -c 'import json,sys
d=json.load(open(sys.argv[1], encoding="utf-8"))
open(sys.argv[2],"w",encoding="utf-8").write(json.dumps(d,separators=(",",":"),ensure_ascii=False))' \
    "$top/test/fixtures/reviews/$(case_file "$c").json" "$tmp/body/$c.json"
done

free_ports() { # free_ports N: N distinct free TCP ports on 127.0.0.1
  python3 -c 'import socket,sys
ss=[socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1",0))
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$1"
}
# shellcheck disable=SC2034 # port_ng_* are read through ng_port
read -r port_sh port_sh_info port_sh_million port_ng_d24 port_ng_e35 port_ng_many < <(free_ports 6)
ng_port() { eval "echo \$port_ng_$1"; }

# ---- servers -------------------------------------------------------------------
wait_https() { # wait_https PORT PID
  local i
  for i in $(seq 1 100); do
    kill -0 "$2" 2>/dev/null || return 1
    curl -s -o /dev/null --cacert "$ca" "https://127.0.0.1:$1/" && return 0
    sleep 0.05
  done
  return 1
}

# sparkhook runs with the environment its container image sets (Dockerfile ENV)
tunables=$(sed -n 's/^ENV GLIBC_TUNABLES=//p' "$top/Dockerfile")
start_sparkhook() { # start_sparkhook PORT LEVEL STDERR-FILE -> sets sh_pid
  GLIBC_TUNABLES="$tunables" "$sparkhook" serve --listen "127.0.0.1:$1" --tls-cert "$cert" --tls-key "$key" \
    --objects "$top/test/fixtures/objects.json" --log-level "$2" 2>"$3" &
  sh_pid=$!
  pids+=("$sh_pid")
  wait_https "$1" "$sh_pid" || { cat "$3" >&2 2>/dev/null; die "sparkhook did not start on port $1"; }
}

start_nginx() { # start_nginx [--verify] -> sets ng_pid (the master)
  local c args=()
  rm -rf "$tmp/nginx"
  mkdir -p "$tmp/nginx"
  for c in $all_cases; do args+=("$c=$(ng_port "$c"):$tmp/resp/$c.json"); done
  python3 "$here/nginx-conf.py" "$tmp/nginx" "$cert" "$key" "$ncpu" "$@" "${args[@]}"
  "$nginx_bin" -t -q -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" 2>"$tmp/nginx/t.log" ||
    { cat "$tmp/nginx/t.log" >&2; die "nginx rejects the generated nginx.conf"; }
  "$nginx_bin" -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" 2>>"$tmp/nginx/error.log" &
  ng_pid=$!
  pids+=("$ng_pid")
  for c in $all_cases; do
    wait_https "$(ng_port "$c")" "$ng_pid" || { cat "$tmp/nginx/error.log" >&2; die "nginx did not start"; }
  done
}

# pids of a server: sparkhook is one process; nginx is the master and its workers
server_pids() {
  if [ "$1" = nginx ]; then echo "$ng_pid $(pgrep -P "$ng_pid" | tr '\n' ' ')"; else echo "$2"; fi
}
mem_kb() { # mem_kb FIELD PID...: sum of FIELD (VmHWM, VmRSS) in kB
  local f=$1 p s=0 v
  shift
  for p in "$@"; do
    v=$(awk -v f="$f:" '$1 == f { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
    s=$((s + ${v:-0}))
  done
  echo "$s"
}
reset_hwm() { # Linux >= 4.0: "5" resets VmHWM to the current VmRSS
  local p ok=1
  for p in "$@"; do echo 5 >"/proc/$p/clear_refs" 2>/dev/null || ok=0; done
  echo "$ok"
}
cpu_ticks() { # cpu_ticks PID...: "id:ticks" for every thread (sparkhook) or process (nginx)
  local p t
  for p in "$@"; do
    for t in /proc/"$p"/task/*; do
      awk -v id="${t##*/}" '{ sub(/^.*\) /, ""); print id ":" $12 + $13 }' "$t/stat" 2>/dev/null
    done
  done
}

# ---- start, capture sparkhook's answers, check both servers ----------------------
start_sparkhook "$port_sh" warn "$tmp/sparkhook.log"
main_sh_pid=$sh_pid

capture_answer() { # capture_answer CASE: sparkhook's answer, checked to be an allowed patch
  local code
  code=$(curl -sS --cacert "$ca" -H 'Content-Type: application/json' --data-binary "@$tmp/body/$1.json" \
    -o "$tmp/resp/$1.json" -w '%{http_code}' "https://127.0.0.1:$port_sh/mutate") ||
    die "curl to sparkhook failed"
  [ "$code" = 200 ] || die "sparkhook answered $code to $1"
  python3 - "$tmp/body/$1.json" "$tmp/resp/$1.json" <<'PY' || die "sparkhook's answer to $1 is not an allowed patch"
import json, sys
req = json.load(open(sys.argv[1]))["request"]
resp = json.load(open(sys.argv[2]))["response"]
assert resp["uid"] == req["uid"] and resp["allowed"] is True, resp
assert resp.get("patchType") == "JSONPatch" and resp.get("patch"), "no patch"
PY
}
for c in $all_cases; do capture_answer "$c"; done

start_nginx --verify
for c in $all_cases; do
  # nginx's answer must be byte for byte sparkhook's, and the body it logged
  # ($request_body) byte for byte the body sent: proof that it read the body.
  code=$(curl -sS --cacert "$ca" -H 'Content-Type: application/json' --data-binary "@$tmp/body/$c.json" \
    -o "$tmp/nginx/answer-$c" -w '%{http_code}' "https://127.0.0.1:$(ng_port "$c")/mutate") ||
    die "curl to nginx failed"
  [ "$code" = 200 ] || die "nginx answered $code"
  cmp -s "$tmp/nginx/answer-$c" "$tmp/resp/$c.json" || die "nginx's answer for $c differs from sparkhook's"
  for i in $(seq 1 20); do [ "$(wc -l <"$tmp/nginx/verify-$c.log")" -ge 2 ] && break; sleep 0.05; done
  python3 - "$tmp/nginx/verify-$c.log" "$tmp/body/$c.json" <<'PY' || die "nginx did not read the request body of $c"
import sys
# the last line: the readiness probe before it was a GET without a body
logged = open(sys.argv[1], "rb").read().split(b"\n")[-2]
body = open(sys.argv[2], "rb").read()
assert logged == body, (len(logged), len(body))
PY
done
# keep-alive works on both: curl sends two POSTs on one connection
for target in "sparkhook:$port_sh" "nginx:$port_ng_e35"; do
  n=$(curl -sv --cacert "$ca" -H 'Content-Type: application/json' --data-binary "@$tmp/body/e35.json" \
    -o /dev/null -o /dev/null "https://127.0.0.1:${target#*:}/mutate" "https://127.0.0.1:${target#*:}/mutate" 2>&1 |
    grep -ci 're-using existing connection' || true)
  [ "$n" -ge 1 ] || die "${target%%:*} did not keep the connection alive"
done
stop_pid "$ng_pid" QUIT
start_nginx # the benchmark configuration: no access log

# TLS as negotiated by an OpenSSL client (wrk's library) with default settings
tls_probe() { # tls_probe PORT -> "proto cipher group reused/5"
  local out
  out=$(openssl s_client -connect "127.0.0.1:$1" -servername localhost -CAfile "$ca" -reconnect </dev/null 2>&1 || true)
  printf '%s %s %s %s/%s' \
    "$(echo "$out" | awk -F', ' '/^New|^Reused/ { print $2; exit }')" \
    "$(echo "$out" | awk '/^New|^Reused/ { print $NF; exit }')" \
    "$(echo "$out" | awk -F'[:,]' '/Server Temp Key/ { gsub(/ /, "", $2); print $2; exit }')" \
    "$(echo "$out" | grep -c '^Reused')" "$(($(echo "$out" | grep -c '^New\|^Reused') - 1))"
}
tls_sh=$(tls_probe "$port_sh")
tls_ng=$(tls_probe "$port_ng_e35")

# ---- machine facts -----------------------------------------------------------------
meta="$tmp/meta"
{
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc=$ncpu"
  echo "cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "kernel=$(uname -sr)"
  echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "sparkhook=$("$sparkhook" --version 2>/dev/null | head -1) ($sparkhook; GLIBC_TUNABLES=$tunables as in the Dockerfile)"
  echo "nginx=$("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //') + echo module, worker_processes $ncpu"
  echo "wrk=$(dpkg-query -W -f '${Version}' wrk 2>/dev/null || echo '?'), $threads threads"
  echo "libs=libmicrohttpd $(dpkg-query -W -f '${Version}' libmicrohttpd12 2>/dev/null || echo '?'), GnuTLS $(dpkg-query -W -f '${Version}' libgnutls30 2>/dev/null || echo '?'), OpenSSL $(openssl version | cut -d' ' -f2)"
  echo "tls_sparkhook=$tls_sh"
  echo "tls_nginx=$tls_ng"
  echo "duration=$duration"
  echo "smoke=$smoke"
  echo "million=$million"
  echo "matrix=$matrix"
  for c in $all_cases; do
    echo "body_$c=$(stat -c %s "$tmp/body/$c.json")"
    echo "resp_$c=$(stat -c %s "$tmp/resp/$c.json")"
  done
} >"$meta"

cpu_pct() { # cpu_pct BEFORE AFTER SECONDS: % of a core per thread/process (>= 1%)
  join -t: <(echo "$1" | sort) <(echo "$2" | sort) |
    awk -F: -v hz="$(getconf CLK_TCK)" -v d="$3" '{ x = ($3 - $2) * 100 / hz / d; if (x >= 1) printf "%d ", x }'
}

# ---- one wrk run --------------------------------------------------------------------
results="$tmp/results.tsv"
: >"$results"

# run_wrk OUTFILE CONNS MODE CASE URL [extra env...]
run_wrk() {
  local out=$1 conns=$2 mode=$3 c=$4 url=$5 t=$threads
  shift 5
  [ "$t" -le "$conns" ] || t=$conns
  local hdr=()
  [ "$mode" = close ] && hdr=(-H "Connection: close")
  local TIMEFORMAT='%U %S' # wrk's own CPU seconds, into $out.time
  { time env BENCH_BODY="$tmp/body/$c.json" BENCH_THREADS="$t" "$@" \
    wrk -t "$t" -c "$conns" -d "${duration}s" --timeout 2s --latency "${hdr[@]}" \
    -s "$here/post.lua" "$url" >"$out" 2>&1; } 2>"$out.time" || true
}

sys_busy() { # jiffies the whole machine spent busy (user nice system irq softirq steal)
  awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

# bench SCENARIO-LABEL CASE MODE CONNS SERVER PORT [SPARKHOOK-PID]
bench() {
  local label=$1 c=$2 mode=$3 conns=$4 server=$5 port=$6 pid=${7:-}
  local out="$tmp/wrk/${label//\//-}-$server.txt" spids line before after hwm_ok b0 b1
  # shellcheck disable=SC2207
  spids=($(server_pids "$server" "$pid"))
  hwm_ok=$(reset_hwm "${spids[@]}")
  before=$(cpu_ticks "${spids[@]}")
  b0=$(sys_busy)
  "$tmp/pauses" >"$out.pauses" 2>&1 &
  local probe=$!
  run_wrk "$out" "$conns" "$mode" "$c" "https://127.0.0.1:$port/mutate"
  kill -TERM "$probe" 2>/dev/null || true
  wait "$probe" 2>/dev/null || true
  b1=$(sys_busy)
  after=$(cpu_ticks "${spids[@]}")
  # what else ran: machine busy - server - wrk, in % of one core
  local machine
  machine=$(join -t: <(echo "$before" | sort) <(echo "$after" | sort) |
    awk -F: -v hz="$(getconf CLK_TCK)" -v d="$duration" -v b="$((b1 - b0))" -v w="$(cat "$out.time" 2>/dev/null)" '
      { s += $3 - $2 }
      END { split(w, t, " "); wrk = (t[1] + t[2]) * 100 / d; busy = b * 100 / hz / d
            o = busy - s * 100 / hz / d - wrk; if (o < 0) o = 0
            printf "wrk=%d others=%d", wrk, o }')
  machine="$machine $(sed -n 's/^PAUSES //p' "$out.pauses")"
  line=$(grep '^BENCH ' "$out" || true)
  [ -n "$line" ] || { echo "wrk failed for $label $server:" >&2; cat "$out" >&2; line="BENCH failed=1"; }
  local cpu
  cpu=$(cpu_pct "$before" "$after" "$duration")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' run "$label" "$c" "$mode" "$conns" "$server" \
    "$line" "$(mem_kb VmHWM "${spids[@]}") $(mem_kb VmRSS "${spids[@]}") $hwm_ok" "${cpu:-0}" "$machine" >>"$results"
  printf '  %-24s %-10s %s\n' "$label" "$server" "$(echo "$line" | sed 's/^BENCH //; s/duration_us=[0-9]* //; s/ connect=.*//')" >&2
}

if [ "$matrix" -eq 1 ]; then
  if [ "$smoke" -eq 1 ]; then
    scenarios="e35:ka:8 e35:close:8 many:ka:8"
  else
    scenarios=""
    for c in e35 d24 many; do scenarios="$scenarios $c:ka:8 $c:ka:64 $c:close:8"; done
    # a warm-up, not reported: page in both servers' code and allocator arenas
    run_wrk "$tmp/wrk/warmup-sparkhook.txt" 8 ka e35 "https://127.0.0.1:$port_sh/mutate"
    run_wrk "$tmp/wrk/warmup-nginx.txt" 8 ka e35 "https://127.0.0.1:$port_ng_e35/mutate"
  fi
  echo "runs of ${duration}s, wrk $threads threads:" >&2
  for s in $scenarios; do
    IFS=: read -r c mode conns <<<"$s"
    label="$c/$mode$conns"
    # alternate the order, so that drift (thermal, neighbours) hits both alike
    bench "$label" "$c" "$mode" "$conns" sparkhook "$port_sh" "$main_sh_pid"
    bench "$label" "$c" "$mode" "$conns" nginx "$(ng_port "$c")"
  done
  if [ "$smoke" -eq 0 ]; then
    # The judged pair again when the machine paused during it (see pauses.c):
    # at most four times more; the report judges the least disturbed attempt
    # and prints them all. Only the probe decides, never the result.
    disturbed_ms=${BENCH_DISTURBED_MS:-$((duration * 5))} # 0.5% of a run (override only to test this script)
    paused_ms() { awk '/^PAUSES/ { for (i = 2; i <= NF; i++) if ($i ~ /^paused_ms=/) print substr($i, 11) + 0 }' "$1"; }
    prev=e35-ka8 # the files of the attempt before
    for attempt in 2 3 4 5; do
      worst=$(for s in sparkhook nginx; do paused_ms "$tmp/wrk/$prev-$s.txt.pauses"; done | sort -n | tail -1)
      awk -v w="${worst:-0}" -v d="$disturbed_ms" 'BEGIN { exit !(w >= d) }' || break
      echo "  (e35/ka8: the machine paused ${worst} ms during it; again, attempt $attempt of 5)" >&2
      bench "e35/ka8#$attempt" e35 ka 8 sparkhook "$port_sh" "$main_sh_pid"
      bench "e35/ka8#$attempt" e35 ka 8 nginx "$(ng_port e35)"
      prev="e35-ka8#$attempt"
    done
    # the cost of access logging: sparkhook at info writes one JSON line per
    # request to stderr (here /dev/null); everything else above is at warn
    start_sparkhook "$port_sh_info" info /dev/null
    bench "e35/ka8" e35 ka 8 sparkhook-info "$port_sh_info" "$sh_pid"
    stop_pid "$sh_pid" TERM
  fi
fi

# ---- cost against pod size: the 50-container generator at other sizes ------------
if [ "$sweep" -eq 1 ]; then
  echo "size sweep (sparkhook only, keep-alive, 8 connections):" >&2
  for n in 10 25 50 100 200; do
    python3 - "$top/test/fixtures/reviews/gen-many-containers.py" "$n" "$tmp/body/sweep$n.json" <<'PY'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("gen", sys.argv[1])
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)
gen.N_CONTAINERS = int(sys.argv[2])
sys.argv = ["gen", "-o", sys.argv[3] + ".raw"]
gen.main()
PY
    python3 -c 'import json,sys
d=json.load(open(sys.argv[1]+".raw",encoding="utf-8"))
open(sys.argv[1],"w",encoding="utf-8").write(json.dumps(d,separators=(",",":"),ensure_ascii=False))' "$tmp/body/sweep$n.json"
    capture_answer "sweep$n"
    bench "sweep/n$n" "sweep$n" ka 8 sparkhook "$port_sh" "$main_sh_pid"
    echo "body_sweep$n=$(stat -c %s "$tmp/body/sweep$n.json")" >>"$meta"
  done
fi

# ---- the million-request RSS run -----------------------------------------------------
if [ "$million" -eq 1 ]; then
  # A fresh sparkhook, and nothing else running: the other servers are stopped.
  for p in "${pids[@]}"; do stop_pid "$p" TERM; done
  pids=()
  start_sparkhook "$port_sh_million" warn "$tmp/sparkhook-million.log"
  mpid=$sh_pid
  samples="$tmp/rss-samples.tsv"
  echo "t_s	requests_done	VmRSS_kB	VmHWM_kB" >"$samples"
  t0=$(date +%s.%N)
  done_req="$tmp/million-done-requests"
  echo 0 >"$done_req"
  (
    while kill -0 "$mpid" 2>/dev/null; do
      printf '%.1f\t%s\t%s\t%s\n' "$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { print a - b }')" "$(cat "$done_req")" \
        "$(mem_kb VmRSS "$mpid")" "$(mem_kb VmHWM "$mpid")" >>"$samples"
      sleep 1
    done
  ) &
  sampler_pid=$!
  chunk=${BENCH_CHUNK:-100000} # override only to test this script
  total=0
  echo "million-request run: 10 x $chunk requests, 8 connections, $(case_file e35)" >&2
  for i in $(seq 1 10); do
    out="$tmp/wrk/million-$i.txt"
    marker="$tmp/wrk/million-$i.stopped"
    : >"$marker"
    t=$threads
    [ "$t" -le 8 ] || t=8
    # wrk only stops at -d; post.lua stops each thread at its share of the
    # requests and says so in $marker, then wrk gets SIGINT (prints and exits)
    BENCH_BODY="$tmp/body/e35.json" BENCH_THREADS=$t BENCH_MAX_REQUESTS=$chunk BENCH_STOPPED_FILE=$marker \
      wrk -t "$t" -c 8 -d 3600s --timeout 2s -s "$here/post.lua" "https://127.0.0.1:$port_sh_million/mutate" \
      >"$out" 2>&1 &
    wpid=$!
    before=$(cpu_ticks "$mpid")
    while kill -0 "$wpid" 2>/dev/null && [ "$(wc -l <"$marker")" -lt "$t" ]; do sleep 0.05; done
    kill -INT "$wpid" 2>/dev/null || true
    wait "$wpid" 2>/dev/null || true
    after=$(cpu_ticks "$mpid")
    line=$(grep '^BENCH ' "$out" || echo "BENCH failed=1")
    n=$(echo "$line" | sed -n 's/.*requests=\([0-9]*\).*/\1/p')
    secs=$(echo "$line" | sed -n 's/.*duration_us=\([0-9]*\).*/\1/p')
    cpu=$(cpu_pct "$before" "$after" "$(awk -v u="${secs:-1000000}" 'BEGIN { print u / 1e6 }')")
    total=$((total + ${n:-0}))
    echo "$total" >"$done_req"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' million "$i" e35 ka 8 sparkhook "$line" \
      "$(mem_kb VmHWM "$mpid") $(mem_kb VmRSS "$mpid") 1" "${cpu:-0}" "$total" >>"$results"
    printf '  %7d requests  VmRSS %6d kB  VmHWM %6d kB  %s\n' "$total" "$(mem_kb VmRSS "$mpid")" \
      "$(mem_kb VmHWM "$mpid")" "$(echo "$line" | grep -o 'rps=[0-9.]*')" >&2
  done
  sleep 1.1 # one more sample after the last request
  kill "$sampler_pid" 2>/dev/null || true
  wait "$sampler_pid" 2>/dev/null || true
  sampler_pid=""
fi

echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$meta"
rc=0
python3 "$here/report.py" "$meta" "$results" "${samples:-}" || rc=$?
[ "$keep" -eq 1 ] || [ "$rc" -eq 0 ] || echo "(run with --keep to keep wrk's output and the configs)" >&2
exit "$rc"
