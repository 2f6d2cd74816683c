#!/bin/sh
# smoke.sh BUILD_DIR [SECONDS] [TARGET...]
#
# Runs every libFuzzer binary BUILD_DIR/test/fuzz/fuzz_<target> (a build
# configured with -DCMAKE_C_COMPILER=clang -DWH_FUZZ=ON
# -DWH_SANITIZE=address,undefined) for SECONDS (default 30) each, on a copy
# of its committed corpus (test/fuzz/corpus/<target>/ is never written), with
# test/fuzz/json.dict. Only the named targets run when TARGET... is given.
#
# A target fails when libFuzzer reports a crash, a sanitizer error, a leak,
# a timeout or an invariant violation (abort); the input is kept under
# $WH_FUZZ_OUT (default: a temporary directory, printed) for replay:
#   BUILD_DIR/test/fuzz/<target>_replay CRASH_FILE
# Prints "ok TARGET (N runs)" / "FAIL TARGET: why", then "N passed, N failed";
# exits non-zero when any target failed or none was found.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: smoke.sh BUILD_DIR [SECONDS] [TARGET...]}
secs=${2:-30}
[ $# -ge 2 ] && shift 2 || shift $#
bin="$build/test/fuzz"
out=${WH_FUZZ_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/wh-fuzz.XXXXXX")}
mkdir -p "$out"

targets="$*"
if [ -z "$targets" ]; then
  for f in "$bin"/fuzz_*; do
    [ -x "$f" ] && [ -f "$f" ] && targets="$targets ${f##*/fuzz_}"
  done
fi

pass=0
fail=0
for t in $targets; do
  exe="$bin/fuzz_$t"
  if [ ! -x "$exe" ]; then
    echo "FAIL $t: $exe not built (configure with -DWH_FUZZ=ON)"
    fail=$((fail + 1))
    continue
  fi
  work="$out/$t"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  if [ -d "$here/corpus/$t" ]; then
    cp -R "$here/corpus/$t/." "$work/corpus/"
  fi
  # -max_len: room for the largest seed (the 50-container pod is ~45 KB).
  "$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -dict="$here/json.dict" -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  found=$(ls "$work/artifacts" 2>/dev/null | head -1)
  if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
    why=$(grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|invariant violated' \
      "$work/log")
    echo "FAIL $t: ${why:-exit status $rc} (input: $work/artifacts/$found, log: $work/log)"
    fail=$((fail + 1))
  else
    echo "ok $t (${runs:-?} runs in ${secs}s)"
    pass=$((pass + 1))
  fi
done
echo "fuzz work directory: $out"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
