#!/usr/bin/python3
"""apply_check.py GOLDEN_DIR: for every golden case, apply expected-patch.json to
request.object with python3-jsonpatch (an applier independent of sparkhook's)
and require the result to equal expected-object.json. Also require every
patch op to be an "add" whose parent exists or is created by an earlier op
(no op may replace an array or map the pod already has; scalars such as
serviceAccountName may be set, and a volume source may be removed when it is
swapped for another)."""
import json
import os
import sys

import jsonpatch
import jsonpointer


def check(case):
    req = json.load(open(os.path.join(case, "request.json")))
    pod = req["request"]["object"]
    patch = json.load(open(os.path.join(case, "expected-patch.json")))
    want = json.load(open(os.path.join(case, "expected-object.json")))
    for op in patch:
        if op["op"] not in ("add", "remove"):
            return "op %s is neither add nor remove" % op["op"]
        if op["path"].endswith("/-"):
            continue
        try:
            have = jsonpointer.resolve_pointer(pod, op["path"])
        except jsonpointer.JsonPointerException:
            if op["op"] == "remove":
                return "remove %s: nothing there" % op["path"]
            continue
        # Scalars may be set (serviceAccountName); arrays and maps the pod
        # has are never replaced or removed whole, except a volume source
        # swapped for another (emptyDir -> ephemeral).
        if isinstance(have, (list, dict)) and not (
                op["op"] == "remove" and "/volumes/" in op["path"]):
            return "%s %s replaces what the pod has" % (op["op"], op["path"])
    got = jsonpatch.apply_patch(pod, patch)
    if got != want:
        return "patched pod differs from expected-object.json"
    return None


def main():
    top = sys.argv[1]
    passed = failed = 0
    for concern in sorted(os.listdir(top)):
        cdir = os.path.join(top, concern)
        if not os.path.isdir(cdir):
            continue
        for name in sorted(os.listdir(cdir)):
            case = os.path.join(cdir, name)
            if not os.path.exists(os.path.join(case, "request.json")):
                continue
            why = check(case)
            if why:
                print("FAIL %s/%s: %s" % (concern, name, why))
                failed += 1
            else:
                passed += 1
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed or not passed else 0)


main()
