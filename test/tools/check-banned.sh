#!/bin/sh
# check-banned.sh: every C file of the project includes "banned.h" as its last
# include (so the poison list covers all of the file's own code), and none
# calls a banned function (backs up the #pragma poison, as curl's checksrc).
set -eu
cd "$(dirname "$0")/../.."
bad=0
for f in $(git ls-files 'server/*.c' 'server/util/*.c' 'patches/*.c' 'certs/*.c'); do
  last=$(grep '^#include' "$f" | tail -1)
  if [ "$last" != '#include "banned.h"' ]; then
    echo "banned: $f: \"banned.h\" is not the last include"
    bad=1
  fi
  if grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|strtok)[[:space:]]*\(' "$f"; then
    echo "banned: $f calls a banned function"
    bad=1
  fi
done
[ "$bad" -eq 0 ] && echo "banned: ok"
exit "$bad"
