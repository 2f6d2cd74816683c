#!/usr/bin/env bash
# soak.sh [--minutes N] [--sparkhook BIN]: the soak test (not run in CI).
# Measures sparkhook's peak rate on the 3.5 executor review at 8 keep-alive
# connections for 10 s, then drives it at 80% of that rate for N minutes
# (default 10; paced with wrk's delay(): connections x 10 ms), sampling RSS
# every 10 s. Passes when no request failed and
# RSS did not grow by more than 1 MiB between the first and the last minute.
# Needs wrk (Debian), curl, openssl; builds a Release binary unless given one.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
minutes=10 bin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    --sparkhook) bin=$2; shift 2 ;;
    *) echo "usage: soak.sh [--minutes N] [--sparkhook BIN]" >&2; exit 2 ;;
  esac
done
if [ -z "$bin" ]; then
  cmake -S "$top" -B "$top/build-soak" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$top/build-soak" -j "$(nproc)" --target sparkhook >/dev/null
  bin="$top/build-soak/server/sparkhook"
fi
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$top/certs/gen-dev-certs.sh" "$work/certs"
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), separators=(",", ":")))' \
  "$top/test/fixtures/reviews/spark-3.5-executor.json" > "$work/body.json"
"$bin" serve --listen 127.0.0.1:0 --tls-cert "$work/certs/tls.crt" --tls-key "$work/certs/tls.key" \
  --objects "$top/test/fixtures/objects.json" 2>"$work/log" &
pid=$!
for _ in $(seq 200); do
  port=$(grep -o 'serving https on [^ ]* (port [0-9]*' "$work/log" | grep -o '[0-9]*$' || true)
  [ -n "$port" ] && break
  sleep 0.05
done
url="https://127.0.0.1:$port/mutate"
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }

peak=$(SOAK_BODY="$work/body.json" SOAK_DELAY_MS=0 wrk -t2 -c8 -d10s -s "$here/pace.lua" "$url" |
  sed -n 's/^SOAK requests=\([0-9]*\).*/\1/p')
peak_rps=$((peak / 10))
target=$((peak_rps * 8 / 10))
# C connections, each waiting 10 ms between requests: about C * 100 req/s,
# less the time each request takes; a 10 s calibration run corrects for it.
delay=10
conns=$(( target / 100 ))
[ "$conns" -ge 2 ] || conns=2
got=$(SOAK_BODY="$work/body.json" SOAK_DELAY_MS=$delay wrk -t2 -c"$conns" -d10s \
  -s "$here/pace.lua" "$url" | sed -n 's/^SOAK requests=\([0-9]*\).*/\1/p')
got=$((got / 10))
[ "$got" -gt 0 ] && conns=$(( conns * target / got ))
echo "peak ${peak_rps} req/s; target ${target} req/s (80%); calibration ${got} req/s;" \
  "soaking with $conns connections for ${minutes} min"

SOAK_BODY="$work/body.json" SOAK_DELAY_MS=$delay \
  wrk -t2 -c"$conns" -d"$((minutes * 60))s" -s "$here/pace.lua" "$url" > "$work/wrk.out" &
wpid=$!
samples=()
while kill -0 "$wpid" 2>/dev/null; do
  samples+=("$(rss)")
  sleep 10
done
wait "$wpid" || true
line=$(grep '^SOAK' "$work/wrk.out")
echo "$line"
echo "rate: $(( $(echo "$line" | sed -n 's/^SOAK requests=\([0-9]*\).*/\1/p') / (minutes * 60) )) req/s against a peak of ${peak_rps}"
errors=$(echo "$line" | sed -n 's/.*errors=\([0-9]*\).*/\1/p')
first=${samples[5]:-${samples[0]}}   # after one minute: warm
last=${samples[-1]}
echo "RSS KiB after 1 min: $first, at the end: $last (samples: ${samples[*]})"
rc=0
[ "${errors:-1}" -eq 0 ] || { echo "FAIL: $errors failed requests"; rc=1; }
[ $((last - first)) -le 1024 ] || { echo "FAIL: RSS grew by $((last - first)) KiB"; rc=1; }
[ "$rc" -eq 0 ] && echo "PASS: no failed request, RSS flat"
exit "$rc"
