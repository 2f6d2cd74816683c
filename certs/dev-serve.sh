#!/bin/sh
# dev-serve.sh SPARKHOOK_BINARY [LISTEN]
# Runs sparkhook locally for a first look: throwaway dev certificates (made
# once, in dev-certs/ beside the binary's build tree), the embedded default
# config, and the example namespaces/service accounts in deploy/examples/.
set -eu
bin=${1:?usage: dev-serve.sh SPARKHOOK_BINARY [LISTEN]}
listen=${2:-127.0.0.1:8443}
top=$(cd "$(dirname "$0")/.." && pwd)
certs="$(cd "$(dirname "$bin")/.." && pwd)/dev-certs"
[ -f "$certs/tls.crt" ] || "$top/certs/gen-dev-certs.sh" "$certs"
port=${listen##*:}
cat <<MSG
sparkhook dev server on https://localhost:$port/mutate (Ctrl-C stops it)
  certificates: $certs (throwaway, local only)
  objects:      $top/deploy/examples/objects.json (namespace spark-jobs opts in)
Send it a Spark executor from another terminal:
  curl -sS --cacert $certs/ca.pem -H 'Content-Type: application/json' \\
    --data-binary @$top/deploy/examples/spark-executor-review.json \\
    https://localhost:$port/mutate | python3 -m json.tool
Decode the patch:
  ... | python3 -c 'import json,sys,base64; print(base64.b64decode(json.load(sys.stdin)["response"]["patch"]).decode())'

MSG
exec "$bin" serve --listen "$listen" --tls-cert "$certs/tls.crt" --tls-key "$certs/tls.key" \
  --objects "$top/deploy/examples/objects.json" --log-format text
