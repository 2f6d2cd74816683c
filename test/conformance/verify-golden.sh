#!/usr/bin/env bash
# verify-golden.sh SPARKHOOK VERIFIER_DIR: every golden case through
# `sparkhook mutate`, its answer checked by the apiserver-side verifier
# (contract, json-patch as kube-apiserver applies it, pod validation), and the
# patched pod submitted again to prove the second answer has no patch.
set -u
bin=$1 verifier=$2
top=$(cd "$(dirname "$0")/../golden" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
for d in "$top"/*/*/; do
  [ -f "$d/request.json" ] || continue
  name=${d#"$top"/}; name=${name%/}
  args=(mutate --objects "$top/cluster.json")
  [ -f "$d/cluster.json" ] && args=(mutate --objects "$d/cluster.json")
  [ -f "$d/config.json" ] && args+=(--config "$d/config.json")
  why=""
  if ! "$bin" "${args[@]}" "$d/request.json" > "$work/resp.json" 2>"$work/err"; then
    why="mutate failed: $(head -c 300 "$work/err")"
  elif ! grep -q '"admission.k8s.io/v1"' "$d/request.json"; then
    : # the verifier reads v1 reviews only; v1beta1 is covered by run_golden
  elif ! "$verifier/verify.sh" --keep "$work/patched.json" "$d/request.json" "$work/resp.json" \
      >"$work/vout" 2>&1; then
    why="verify.sh: $(grep -m3 -iE 'fail|error|invalid' "$work/vout" | tr '\n' ' ' | cut -c1-300)"
  elif [ -s "$work/patched.json" ]; then
    # Idempotence as kube-apiserver's reinvocation would see it.
    python3 - "$d/request.json" "$work/patched.json" "$work/again.json" <<'PY'
import json, sys
review = json.load(open(sys.argv[1]))
review["request"]["object"] = json.load(open(sys.argv[2]))
json.dump(review, open(sys.argv[3], "w"))
PY
    "$bin" "${args[@]}" "$work/again.json" > "$work/resp2.json" 2>/dev/null
    if grep -q '"patch"' "$work/resp2.json"; then why="second pass returned a patch"; fi
  fi
  if [ -z "$why" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $name: $why"; fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
