#!/bin/sh
# test/run-all.sh: the whole test suite, as CI runs it (dependencies from
# .ci/deps must be installed):
#   1. format check                      4. ASan+UBSan build (clang): ctest, TSan: integration,
#                                           libFuzzer smoke (30 s per target)
#   2. gcc build with -Werror: ctest     5. EKS pod identity webhook conformance,
#   3. valgrind memcheck (unit, golden)     checked by the apiserver-side verifier,
#                                           and the golden corpus through the verifier
# Build trees go to build-ci/ and build-asan/. Exits non-zero on the first failure.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)

step() { printf '\n==== %s\n' "$*"; }

step "format check, banned functions"
test/tools/format-check.sh
test/tools/check-banned.sh

step "gcc, -Werror"
cmake -S . -B build-ci -DCMAKE_C_COMPILER=gcc -DWH_WERROR=ON >/dev/null
cmake --build build-ci -j "$jobs"
(cd build-ci && ctest --output-on-failure -j "$jobs")

step "benchmark smoke (seconds, no thresholds: it must run and see no errors)"
test/bench/run.sh --smoke --sparkhook build-ci/server/sparkhook | tail -12

step "valgrind memcheck: unit and golden tests"
(cd build-ci && ctest -L 'unit|golden' -j "$jobs" -T memcheck --output-on-failure) >build-ci/memcheck.log 2>&1 ||
  { tail -50 build-ci/memcheck.log; cat build-ci/Testing/Temporary/MemoryChecker.*.log | head -100; exit 1; }
if grep -q "Defects:" build-ci/memcheck.log; then
  grep -A20 "Defects:" build-ci/memcheck.log
  cat build-ci/Testing/Temporary/MemoryChecker.*.log | head -100
  exit 1
fi
echo "memcheck: $(grep -c 'Passed' build-ci/memcheck.log) tests, no defects"

step "clang, ASan+UBSan"
cmake -S . -B build-asan -DCMAKE_C_COMPILER=clang -DWH_WERROR=ON \
  -DWH_SANITIZE=address,undefined >/dev/null
cmake --build build-asan -j "$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j "$jobs")

step "clang, TSan: integration tests"
cmake -S . -B build-tsan -DCMAKE_C_COMPILER=clang -DWH_WERROR=ON -DWH_SANITIZE=thread >/dev/null
cmake --build build-tsan -j "$jobs"
# A race makes the server exit 66 at shutdown, which every test checks.
(cd build-tsan && TSAN_OPTIONS="halt_on_error=0 exitcode=66" \
  ctest --output-on-failure -L integration -j "$jobs")

step "fuzz smoke: libFuzzer, ${WH_FUZZ_SECONDS:-30} s per target"
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DWH_FUZZ=ON \
  -DWH_SANITIZE=address,undefined >/dev/null
cmake --build build-fuzz -j "$jobs"
test/fuzz/smoke.sh build-fuzz "${WH_FUZZ_SECONDS:-30}"

step "conformance: EKS pod identity webhook IRSA suite"
shared="$top/../shared"
if [ -d "$shared/conformance/eks-piw" ] && [ -d "$shared/verifier" ]; then
  vdir=$(mktemp -d)
  trap 'rm -rf "$vdir"' EXIT
  cp -r "$shared/verifier/." "$vdir/"
  chmod -R u+w "$vdir"
  (cd "$vdir" && npm ci --no-audit --no-fund >/dev/null 2>&1)
  VERIFIER_DIR="$vdir" SPARKHOOK="$top/build-ci/server/sparkhook" \
    "$shared/conformance/eks-piw/run.sh" "$top/test/conformance/eks-piw-mutate.sh"
  step "golden corpus through the apiserver-side verifier"
  test/conformance/verify-golden.sh "$top/build-ci/server/sparkhook" "$vdir"
else
  echo "conformance: ../shared is not beside this checkout; suite not run"
fi
