#!/usr/bin/python3
"""apply_check.py GOLDEN_DIR: for every golden case, apply expected-patch.json to
request.object with python3-jsonpatch (an applier independent of sparkhook's)
and require the result to equal expected-object.json. Also require every
patch op to be an "add" whose parent exists or is created by an earlier op
(no op may replace an array or map the pod already has; scalars such as
serviceAccountName may be set, and a volume source may be removed when it is
swapped for another), and check the patched pod against the rules a patch can
break: unique volume names, one source per volume, mounts that reference
volumes, unique mountPaths per container, expirationSeconds >= 600, env names
and label values of valid syntax."""
import json
import os
import re
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
    return pod_rules(got)


C_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def pod_rules(pod):
    """The pod rules a patch can break (a subset of ValidatePodCreate)."""
    spec = pod["spec"]
    vols = [v["name"] for v in spec.get("volumes", [])]
    if len(vols) != len(set(vols)):
        return "duplicate volume names"
    for v in spec.get("volumes", []):
        sources = [k for k in v if k != "name"]
        if len(sources) != 1:
            return "volume %s has %d sources" % (v["name"], len(sources))
        for src in v.get("projected", {}).get("sources", []):
            exp = src.get("serviceAccountToken", {}).get("expirationSeconds")
            if exp is not None and exp < 600:
                return "volume %s: expirationSeconds %d < 600" % (v["name"], exp)
    for c in spec.get("containers", []) + spec.get("initContainers", []):
        paths = [m["mountPath"] for m in c.get("volumeMounts", [])]
        if len(paths) != len(set(paths)):
            return "container %s: duplicate mountPath" % c["name"]
        for m in c.get("volumeMounts", []):
            if m["name"] not in vols:
                return "container %s mounts missing volume %s" % (c["name"], m["name"])
        for e in c.get("env", []):
            if not C_IDENT.match(e["name"]):
                return "container %s: env name %r" % (c["name"], e["name"])
    for k, v in list(pod["metadata"].get("labels", {}).items()) + \
            list(spec.get("nodeSelector", {}).items()):
        if len(v) > 63 or not LABEL_VALUE.match(v):
            return "label/nodeSelector value %r for %s" % (v, k)
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
