#!/usr/bin/env bash
# eks-piw-mutate.sh CASE_DIR: the MUTATE_CMD for ../shared/conformance/eks-piw/run.sh.
# Translates the case's webhook-wide settings.json into a sparkhook config and
# runs the offline pipeline (`sparkhook mutate`) on review.json with objects.json.
# SPARKHOOK names the binary (default: build/server/sparkhook).
set -eu
case_dir=$1
bin=${SPARKHOOK:-$(dirname "$0")/../../build/server/sparkhook}
cfg=$(mktemp)
trap 'rm -f "$cfg"' EXIT
python3 - "$case_dir/settings.json" > "$cfg" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
if s.get("annotationPrefix", "eks.amazonaws.com") != "eks.amazonaws.com":
    sys.exit("unsupported annotationPrefix")
if s.get("tokenVolumeName", "aws-iam-token") != "aws-iam-token" or s.get("tokenPath", "token") != "token":
    sys.exit("unsupported token volume name or path")
print(json.dumps({"aws": {
    "region": s["region"],
    "stsRegionalEndpoints": s["stsRegionalEndpoints"],
    "tokenExpirationSeconds": s["tokenExpirationSeconds"],
    "audience": s["tokenAudience"],
    "mountPath": s["tokenMountPath"],
}}))
PY
"$bin" mutate --config "$cfg" --objects "$case_dir/objects.json" "$case_dir/review.json"
