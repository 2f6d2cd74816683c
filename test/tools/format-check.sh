#!/bin/sh
# format-check.sh: fail when clang-format would change any C file.
set -eu
cd "$(dirname "$0")/../.."
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find server patches test -name '*.[ch]')
bad=0
for f in $files; do
  [ -f "$f" ] || continue
  if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "format: $f (run: clang-format -i $f)"
    bad=1
  fi
done
[ "$bad" -eq 0 ] && echo "format: ok"
exit "$bad"
