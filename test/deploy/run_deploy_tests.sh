#!/usr/bin/env bash
# run_deploy_tests.sh SPARKHOOK_BINARY
#
# Checks deploy/ and the Dockerfile without a cluster or a Docker engine:
#   - npm ci here (kubernetes-models, dockerfilelint, js-yaml; node_modules is git-ignored)
#   - renders the base, every overlay, and every component applied alone on the base
#     (throwaway kustomizations in a temp copy of deploy/), with kubectl kustomize;
#     static-certs gets its files from `sparkhook certs generate` as users make them
#   - validate.mjs on each render: kubernetes-models schema + unknown fields, and the
#     invariants (webhook selectors and settings, Service -> --listen port, RBAC exactly
#     get/list/watch on namespaces/serviceaccounts, probes -> --probe-listen port,
#     securityContext, config.json through `sparkhook check-config`, certificates)
#   - deploy/sparkhook.yaml equals a fresh render (test/deploy/render.sh --check)
#   - dockerfilelint Dockerfile; the build stage's apt list equals .ci/deps's BUILD list
#
# Prints "ok NAME" / "FAIL NAME: why" and ends with "N passed, N failed". Exit status:
# 0 all passed, 1 a check failed (or kubectl, node or npm missing), 2 usage.
set -uo pipefail

bin=${1:-}
if [ -z "$bin" ]; then
  echo "usage: run_deploy_tests.sh SPARKHOOK_BINARY" >&2
  exit 2
fi
case $bin in /*) ;; *) bin="$PWD/$bin" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

for tool in kubectl node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "FAIL: $tool not found (kubectl renders kustomize offline; node/npm run validate.mjs)"
    exit 1
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results="$work/results"
: >"$results"

say() { printf '%s\n' "$*" | tee -a "$results"; }
pass() { say "ok $1"; }
fail() {
  local name=$1
  shift
  say "FAIL $name: $(printf '%s' "$*" | tr '\n' ' ' | cut -c1-600)"
}
finish() {
  local p f
  p=$(grep -c '^ok ' "$results")
  f=$(grep -c '^FAIL ' "$results")
  echo "$p passed, $f failed"
  [ "$f" -eq 0 ]
  exit $?
}

# ---- tools
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
  pass "sparkhook-binary"
else
  fail "sparkhook-binary" "$bin does not run"
fi
if (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >"$work/npm.log" 2>&1; then
  pass "npm-ci"
else
  fail "npm-ci" "$(tail -5 "$work/npm.log")"
  finish
fi

# ---- a scratch copy of deploy/, with throwaway certificates for components/static-certs
# made the way deploy/README.md tells users to make them
cp -r "$top/deploy" "$work/deploy"
certs="$work/deploy/components/static-certs/certs"
rm -rf "$certs"
if "$bin" certs generate --service sparkhook --namespace sparkhook-system --out "$certs" \
  >"$work/certs.log" 2>&1 && [ -s "$certs/tls.crt" ] && [ -s "$certs/tls.key" ] && [ -s "$certs/ca.crt" ]; then
  pass "certs-generate"
else
  fail "certs-generate" "sparkhook certs generate did not write tls.crt, tls.key, ca.crt: $(tail -3 "$work/certs.log")"
fi

# ---- renders: NAME VARIANT DIR (DIR relative to $work)
renders=("base base deploy/base")
for d in "$top"/deploy/overlays/*/; do
  n=$(basename "$d")
  renders+=("overlay/$n overlay/$n deploy/overlays/$n")
done
for d in "$top"/deploy/components/*/; do
  n=$(basename "$d")
  if ! grep -q '^kind: Component' "$d/kustomization.yaml" 2>/dev/null; then
    fail "component/$n kind" "deploy/components/$n/kustomization.yaml is not a kustomize Component"
    continue
  fi
  mkdir -p "$work/only/$n"
  cat >"$work/only/$n/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../deploy/base
components:
  - ../../deploy/components/$n
EOF
  renders+=("component/$n component/$n only/$n")
done

mkdir -p "$work/out"
for r in "${renders[@]}"; do
  read -r name variant dir <<<"$r"
  out="$work/out/${name//\//_}.yaml"
  if kubectl kustomize "$work/$dir" >"$out" 2>"$work/err"; then
    pass "$name render"
    node "$here/validate.mjs" manifests --name "$name" --variant "$variant" --sparkhook "$bin" "$out" |
      tee -a "$results"
  else
    fail "$name render" "$(tail -3 "$work/err")"
  fi
done

# ---- the pre-rendered single-file manifest
if "$here/render.sh" --check >"$work/drift" 2>&1; then
  pass "drift deploy/sparkhook.yaml"
else
  fail "drift deploy/sparkhook.yaml" "$(head -12 "$work/drift")"
fi

# ---- Dockerfile
if (cd "$top" && "$here/node_modules/.bin/dockerfilelint" Dockerfile) >"$work/lint" 2>&1; then
  pass "dockerfilelint"
else
  fail "dockerfilelint" "$(grep -v '^\s*$' "$work/lint" | head -20)"
fi
if [ -s "$work/out/base.yaml" ]; then
  node "$here/validate.mjs" dockerfile --dockerfile "$top/Dockerfile" \
    --dockerignore "$top/.dockerignore" --deps "$top/.ci/deps" --base "$work/out/base.yaml" |
    tee -a "$results"
else
  fail "dockerfile" "no base render to compare CMD with"
fi

finish
