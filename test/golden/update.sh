#!/bin/sh
# update.sh BUILD_DIR [CASE_DIR...]: rewrite the expected-*.json files of the
# given golden cases (default: all) from the current pipeline, pretty-printed
# with two-space indents. Review `git diff` before committing the result.
set -eu
build=${1:?usage: update.sh BUILD_DIR [CASE_DIR...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || set -- "$here"/*/*/
for d in "$@"; do
  [ -f "$d/request.json" ] || continue
  WH_GOLDEN_UPDATE=1 "$build/test/golden/run_golden" "$d" >/dev/null
  for f in "$d"/expected-*.json; do
    /usr/bin/python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); open(p,"w").write(json.dumps(d, indent=2) + "\n")' "$f"
  done
done
