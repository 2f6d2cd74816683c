#!/usr/bin/python3
"""make_seeds.py: (re)writes the hand-made seed inputs of test/fuzz/corpus/.

usage: python3 test/fuzz/make_seeds.py

Writes only files named seed-* (and golden-* copies of the golden requests);
inputs that a fuzzer found and that were committed on purpose (found-*:
merged for coverage; crash-*: found a bug) are left alone. Python 3 standard
library only.
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.join(HERE, "corpus")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


# ---- admission ------------------------------------------------------------

def pod(role="driver", sa="spark", ns="spark-jobs", extra_labels=None):
    labels = {"spark-app-selector": "spark-0123", "spark-role": role}
    labels.update(extra_labels or {})
    return {
        "kind": "Pod", "apiVersion": "v1",
        "metadata": {"name": "p-" + role, "namespace": ns, "labels": labels,
                     "annotations": {"example.com/a~b": "1"}},
        "spec": {
            "serviceAccountName": sa,
            "volumes": [{"name": "spark-local-dir-1", "emptyDir": {}}],
            "containers": [{
                "name": "spark-kubernetes-" + role, "image": "apache/spark:3.5.1",
                "env": [{"name": "SPARK_USER", "value": "alice"}],
                "volumeMounts": [{"name": "spark-local-dir-1", "mountPath": "/tmp"}]}],
        },
    }


def review(obj, op="CREATE", ns="spark-jobs", uid="0b4c2d1e-0000-4000-8000-000000000001",
           version="admission.k8s.io/v1", kind="Pod", resource="pods", user="alice"):
    req = {"uid": uid, "kind": {"group": "", "version": "v1", "kind": kind},
           "resource": {"group": "", "version": "v1", "resource": resource},
           "namespace": ns, "operation": op, "userInfo": {"username": user}, "object": obj}
    return {"apiVersion": version, "kind": "AdmissionReview", "request": req}


def with_path(doc, path, value):
    """Returns a copy of doc with the value at path (a list of keys) replaced."""
    doc = json.loads(json.dumps(doc))
    cur = doc
    for k in path[:-1]:
        cur = cur[k]
    cur[path[-1]] = value
    return doc


def admission_seeds():
    seeds = {}
    # The golden requests, compacted (the fixtures under test/fixtures/reviews
    # are the same reviews).
    seen = set()
    gdir = os.path.join(ROOT, "test", "golden")
    for concern in sorted(os.listdir(gdir)):
        cdir = os.path.join(gdir, concern)
        if not os.path.isdir(cdir):
            continue
        for case in sorted(os.listdir(cdir)):
            p = os.path.join(cdir, case, "request.json")
            if not os.path.isfile(p):
                continue
            data = compact(json.loads(open(p, "rb").read())).encode()
            if data in seen:
                continue
            seen.add(data)
            seeds["golden-%s-%s.json" % (concern, case)] = data

    # The same pods in the namespaces of fuzz_admission.c's snapshot that turn
    # on the other generators (Azure, GCP, placement, scratch, secrets).
    for case in ("spark-3.5-driver", "spark-3.5-executor", "spark-3.5-executor-sidecar-init"):
        p = os.path.join(gdir, "aws-irsa", case, "request.json")
        text = compact(json.load(open(p)))
        for ns in ("team-az", "team-gcp", "team-gke", "team-place"):
            seeds["seed-%s-%s.json" % (ns, case)] = text.replace("spark-jobs", ns)

    drv = review(pod())
    seeds["seed-driver.json"] = compact(drv)
    seeds["seed-executor-default-sa.json"] = compact(
        review(pod("executor", "default"), user="system:serviceaccount:spark-jobs:spark"))
    seeds["seed-team-a-executor.json"] = compact(
        review(pod("executor", "default", "team-a"), ns="team-a",
               user="system:serviceaccount:team-a:spark"))
    seeds["seed-team-a-driver.json"] = compact(
        review(pod("driver", "default", "team-a"), ns="team-a"))
    seeds["seed-gov-sa.json"] = compact(review(pod("driver", "gov")))
    seeds["seed-short-arn.json"] = compact(review(pod("driver", "short")))
    seeds["seed-azure-sa.json"] = compact(review(pod("driver", "azure")))
    seeds["seed-v1beta1.json"] = compact(review(pod(), version="admission.k8s.io/v1beta1"))
    seeds["seed-not-opted-in.json"] = compact(review(pod(ns="analytics"), ns="analytics"))
    seeds["seed-unknown-ns.json"] = compact(review(pod(ns="nowhere"), ns="nowhere"))
    seeds["seed-update.json"] = compact(review(pod(), op="UPDATE"))
    seeds["seed-delete.json"] = compact(with_path(review(None, op="DELETE"),
                                                  ["request", "oldObject"], pod()))
    seeds["seed-deployment.json"] = compact(
        review({"kind": "Deployment", "metadata": {"name": "d"}}, kind="Deployment",
               resource="deployments"))
    seeds["seed-subresource.json"] = compact(
        with_path(drv, ["request", "subResource"], "status"))
    seeds["seed-not-spark.json"] = compact(review(pod(role="other")))
    # Escapes and key tricks.
    seeds["seed-escaped-role-key.json"] = compact(drv).replace(
        '"spark-role"', '"\\u0073park-\\u0072ole"')
    seeds["seed-nul-in-role-key.json"] = compact(drv).replace(
        '"spark-role"', '"spark-role\\u0000x"')
    seeds["seed-nul-in-role-value.json"] = compact(drv).replace(
        '"driver"', '"driver\\u0000x"', 1)
    seeds["seed-duplicate-role.json"] = compact(drv).replace(
        '"spark-role":"driver"', '"spark-role":"none","spark-role":"driver"')
    seeds["seed-lone-surrogate.json"] = compact(drv).replace('"alice"', '"\\ud800"', 1)
    seeds["seed-utf8-names.json"] = compact(
        with_path(drv, ["request", "object", "metadata", "annotations"],
                  {"ключ/ü~0": "värde", "x/y~z": "🙂"}))
    seeds["seed-huge-number.json"] = compact(
        with_path(drv, ["request", "object", "spec", "priority"], 1)).replace(
        '"priority":1', '"priority":1e999,"x":-0')
    # Wrong types at every level.
    wrong = [
        (["request"], "x"), (["request", "uid"], 7), (["request", "kind"], []),
        (["request", "object"], "pod"), (["request", "object", "metadata"], []),
        (["request", "object", "metadata", "labels"], ["spark-role"]),
        (["request", "object", "spec", "containers"], {}),
        (["request", "object", "spec", "containers", 0], "c"),
        (["request", "object", "spec", "containers", 0, "env"], {}),
        (["request", "object", "spec", "containers", 0, "env", 0], 5),
        (["request", "object", "spec", "containers", 0, "volumeMounts"], "m"),
        (["request", "object", "spec", "volumes"], "v"),
        (["request", "object", "spec", "serviceAccountName"], 3),
        (["request", "object", "metadata", "annotations", "example.com/a~b"], 1),
        (["request", "userInfo"], "u"), (["request", "namespace"], {}),
    ]
    for i, (path, value) in enumerate(wrong):
        seeds["seed-wrong-type-%02d.json" % i] = compact(with_path(drv, path, value))
    seeds["seed-uid-long.json"] = compact(with_path(drv, ["request", "uid"], "u" * 129))
    seeds["seed-uid-escapes.json"] = compact(with_path(drv, ["request", "uid"], 'a"b\\c\n\u0001'))
    seeds["seed-no-uid.json"] = compact(with_path(drv, ["request", "uid"], None))
    # Syntax.
    text = compact(drv)
    seeds["seed-truncated.json"] = text[: len(text) // 2]
    seeds["seed-trailing-garbage.json"] = text + "}x"
    seeds["seed-deep-101.json"] = text[:-1] + ',"deep":' + "[" * 101 + "]" * 101 + "}"
    seeds["seed-empty.json"] = ""
    seeds["seed-null.json"] = "null"
    seeds["seed-array.json"] = "[]"
    seeds["seed-wrong-version.json"] = compact(with_path(drv, ["apiVersion"], "v1"))
    for name, data in seeds.items():
        write("admission", name, data)


# ---- config ---------------------------------------------------------------

def config_seeds():
    full = {
        "server": {"maxBodyBytes": 3145728, "maxJsonDepth": 100, "maxPatchBytes": 1048576,
                   "threads": 0, "connectionTimeoutSeconds": 30, "maxConnections": 4096},
        "aws": {"region": "eu-west-1", "audience": "sts.amazonaws.com",
                "tokenExpirationSeconds": 86400, "stsRegionalEndpoints": True,
                "mountPath": "/var/run/secrets/eks.amazonaws.com/serviceaccount",
                "fsGroup": 185},
        "kube": {"missTimeoutMs": 250, "watchTimeoutSeconds": 300, "maxEventBytes": 2097152,
                 "maxListBytes": 67108864, "listPageSize": 500, "backoffMaxSeconds": 30,
                 "tokenRereadSeconds": 60},
    }
    seeds = {
        "seed-empty-object.json": "{}",
        "seed-full.json": json.dumps(full, indent=2),
        "seed-hostile.json": compact({"server": {"maxBodyBytes": 262144,
                                                 "connectionTimeoutSeconds": 3,
                                                 "maxJsonDepth": 100}}),
        "seed-fsgroup.json": compact({"aws": {"fsGroup": 185}}),
        "seed-overrides.json": compact({"aws": {"stsRegionalEndpoints": True,
                                                "region": "us-gov-west-1"}}),
        "seed-profiles.json": compact({
            "defaults": {"sparkhook.io/aws-region": "eu-west-1"},
            "profiles": {"team-a": {"sparkhook.io/aws-role-arn":
                                    "arn:aws:iam::111122223333:role/team-a",
                                    "sparkhook.io/executor-service-account": "spark"},
                         "empty": {}}}),
        "seed-unknown-key.json": compact({"aws": {"regoin": "x"}}),
        "seed-out-of-range.json": compact({"server": {"maxJsonDepth": 1001}}),
        "seed-bad-types.json": '{"server":{"threads":-0,"maxBodyBytes":1e999},'
                               '"aws":{"stsRegionalEndpoints":"yes","region":"\\u0000"}}',
        "seed-bad-path.json": compact({"aws": {"mountPath": "/a/../b"}}),
        "seed-duplicate-sections.json": '{"aws":{"region":"a"},"aws":{"region":"b"}}',
    }
    for name, data in seeds.items():
        write("config", name, data)


# ---- objects --------------------------------------------------------------

def objects_seeds():
    seen = set()
    for rel in ["test/fixtures/objects.json", "test/golden/cluster.json"] + sorted(
            os.path.join("test/golden", c, d, "cluster.json")
            for c in os.listdir(os.path.join(ROOT, "test/golden"))
            if os.path.isdir(os.path.join(ROOT, "test/golden", c))
            for d in os.listdir(os.path.join(ROOT, "test/golden", c))):
        p = os.path.join(ROOT, rel)
        if os.path.isfile(p) and open(p, "rb").read() not in seen:
            data = open(p, "rb").read()
            seen.add(data)
            write("objects", "golden-" + rel.replace("/", "-"), compact(json.loads(data)))

    def ns(name, **ann):
        return {"kind": "Namespace", "metadata": {"name": name, "uid": "u-" + name,
                                                  "annotations": ann}}

    def sa(nsn, name, uid="x"):
        return {"kind": "ServiceAccount", "metadata": {"name": name, "namespace": nsn,
                                                       "uid": uid}}
    seeds = {
        "seed-empty.json": compact({"kind": "List", "items": []}),
        "seed-duplicates.json": compact({"kind": "List", "items": [
            sa("a", "s", "first"), ns("a"), sa("a", "s", "second"), ns("b"), ns("a")]}),
        "seed-other-kinds.json": compact({"kind": "List", "items": [
            {"kind": "ConfigMap", "metadata": {"name": "c"}}, ns("a")]}),
        "seed-escapes.json": compact({"kind": "List", "items": [
            ns("n\u0000x", **{"k\u0000": "v", "example.com/x~y": "1"}), sa("n", "s\u00e9")]}),
        "seed-wrong-types.json": '{"items":[{"kind":"Namespace","metadata":{"name":1}}]}',
        "seed-no-namespace.json": compact({"items": [{"kind": "ServiceAccount",
                                                      "metadata": {"name": "s"}}]}),
    }
    for name, data in seeds.items():
        write("objects", name, data)


# ---- watch stream ---------------------------------------------------------

def watch_seeds():
    rv = [100]

    def meta(name, ns=None, **extra):
        rv[0] += 1
        m = {"name": name}
        if ns:
            m["namespace"] = ns
        m.update({"uid": "u-%d" % rv[0], "resourceVersion": str(rv[0]),
                  "creationTimestamp": "2026-01-05T09:12:30Z"})
        m.update(extra)
        return m

    def ns_obj(name, **ann):
        return {"kind": "Namespace", "apiVersion": "v1",
                "metadata": meta(name, labels={"kubernetes.io/metadata.name": name},
                                 **({"annotations": ann} if ann else {})),
                "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}

    def sa_obj(nsn, name, **ann):
        return {"kind": "ServiceAccount", "apiVersion": "v1",
                "metadata": meta(name, nsn, **({"annotations": ann} if ann else {}))}

    def ev(t, obj):
        return compact({"type": t, "object": obj}) + "\n"

    def bookmark(kind):
        o = {"kind": kind, "apiVersion": "v1",
             "metadata": {"resourceVersion": str(rv[0]), "creationTimestamp": None}}
        if kind == "Namespace":
            o.update({"spec": {}, "status": {}})
        return ev("BOOKMARK", o)

    gone = ev("ERROR", {"kind": "Status", "apiVersion": "v1", "metadata": {},
                        "status": "Failure", "message": "too old resource version: 5 (100)",
                        "reason": "Expired", "code": 410})
    other_err = ev("ERROR", {"kind": "Status", "apiVersion": "v1", "metadata": {},
                             "status": "Failure", "message": "internal error",
                             "reason": "InternalError", "code": 500})
    ns_stream = (ev("ADDED", ns_obj("spark-jobs", **{"sparkhook.io/inject": "true"})) +
                 ev("ADDED", ns_obj("default")) + bookmark("Namespace") +
                 ev("MODIFIED", ns_obj("spark-jobs", **{"sparkhook.io/inject": "false"})) +
                 ev("DELETED", ns_obj("default")) + bookmark("Namespace"))
    sa_stream = (ev("ADDED", sa_obj("spark-jobs", "spark", **{
        "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/spark-jobs-s3"})) +
                 ev("ADDED", sa_obj("spark-jobs", "default")) + bookmark("ServiceAccount") +
                 ev("DELETED", sa_obj("spark-jobs", "default")) + gone)

    def ctl(cap_shift, sa, sizes):
        return bytes([cap_shift | (8 if sa else 0), len(sizes)] + list(sizes))

    seeds = {
        "seed-ns-whole": ctl(5, False, []) + ns_stream.encode(),
        "seed-ns-chunked": ctl(5, False, [7, 200, 1, 0, 33]) + ns_stream.encode(),
        "seed-sa-chunked": ctl(6, True, [13, 255, 2]) + sa_stream.encode(),
        "seed-sa-small-cap": ctl(1, True, [64, 5]) + sa_stream.encode(),
        "seed-gone": ctl(3, False, [1]) + gone.encode(),
        "seed-error-500": ctl(3, True, []) + other_err.encode(),
        "seed-garbage": ctl(0, False, [3]) + b'{"type":"ADDED"}\n\n\nnot json\n{"type":1,"object":{}}\n'
                        b'{"type":"MODIFIED","object":{"metadata":[]}}\npartial',
        "seed-crlf": ctl(4, False, [9]) + ns_stream.replace("\n", "\r\n").encode(),
        "seed-cut-mid-event": ctl(5, True, [100]) + sa_stream.encode()[:-40],
    }
    for name, data in seeds.items():
        write("watch_stream", name, data)


# ---- pointer --------------------------------------------------------------

def pointer_seeds():
    keys = ["example.com/x~y", "~01", "//", "ключ/ü~1", "", "~", "/", "a~1b", "~0~1/~",
            "eks.amazonaws.com/role-arn", "-", "0", "spark-role", "\u00ff\u0100/\U0001f642",
            "x" * 300 + "/" * 100, "~" * 255, "a\u0000b"]
    for i, k in enumerate(keys):
        write("pointer", "seed-%02d" % i, bytes([i % 3]) + k.encode("utf-8"))
    write("pointer", "seed-bad-utf8", b"\x01\xc3\x28/\xff~")


# ---- jwt ------------------------------------------------------------------

def b64url(b):
    import base64
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


# Tokens signed by the keys embedded in fuzz_jwt.c (expired: they must never
# pass wh_jwt_verify) and by other keys (valid claims, wrong key). The private
# keys were throwaway and are not kept.
TOKEN_ES256 = (
    "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOlsic3RzLmFtYXpvbmF3cy5jb20iXSwiZXhwIjo"
    "xNzUwMDAwMDAwLCJpYXQiOjE3NDk5OTY0MDAsImlzcyI6Imh0dHBzOi8va3ViZXJuZXRlcy5kZWZhdWx0LnN"
    "2YyIsImt1YmVybmV0ZXMuaW8iOnsibmFtZXNwYWNlIjoic3Bhcmstam9icyIsInBvZCI6eyJuYW1lIjoic3B"
    "hcmstcGktZHJpdmVyIiwidWlkIjoiOGIzZTBmNmMtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAxIn0sInN"
    "lcnZpY2VhY2NvdW50Ijp7Im5hbWUiOiJzcGFyayIsInVpZCI6IjFmMGEyYjNjLTAwMDAtNDAwMC04MDAwLTA"
    "wMDAwMDAwMDAwMiJ9fSwibmJmIjoxNzQ5OTk2NDAwLCJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c3B"
    "hcmstam9iczpzcGFyayJ9.m77cYtMVFovaJo5h8A9cSXBzl2FJalwCSDGSRemr4-lz6X8gnJpA-nhBNe5bCb"
    "RGLNSh4WydElUmtsgS4Px5OQ")
TOKEN_RS256 = (
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOlsic3RzLmFtYXpvbmF3cy5jb20iXSwiZXhwIjo"
    "xNzUwMDAwMDAwLCJpYXQiOjE3NDk5OTY0MDAsImlzcyI6Imh0dHBzOi8va3ViZXJuZXRlcy5kZWZhdWx0LnN"
    "2YyIsImt1YmVybmV0ZXMuaW8iOnsibmFtZXNwYWNlIjoic3Bhcmstam9icyIsInBvZCI6eyJuYW1lIjoic3B"
    "hcmstcGktZHJpdmVyIiwidWlkIjoiOGIzZTBmNmMtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAxIn0sInN"
    "lcnZpY2VhY2NvdW50Ijp7Im5hbWUiOiJzcGFyayIsInVpZCI6IjFmMGEyYjNjLTAwMDAtNDAwMC04MDAwLTA"
    "wMDAwMDAwMDAwMiJ9fSwibmJmIjoxNzQ5OTk2NDAwLCJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c3B"
    "hcmstam9iczpzcGFyayJ9.OpJ5j1_P6zv9CvNnMobFxm8Vtnueycd-_v7umkcdKptM6PQsgI9wKUoqQUs4fg"
    "92XD0MiWYK1L8sVaVmCLG-PlDq_G0MozsU8zvxMWcgCdVd7bKBqrHSDrlS7-6zOWpO8qj2lPahVkOqpM5Z6N"
    "J17JB1C8uM-_PMJDRrbtS4dJDl_IHZfKoScwYQAN3N0DxphU96-gGAMi8-tfowff6eLdRmjlMNaPI9OIvKNU"
    "_FwfVXJY9tDszbeiBOyzyLL3CdkL50K8-Pv3PgrZeGNZKchuSf7RAI3hPpQbRDPsY1W-mWy3rgqXy_zW47om"
    "IFiS0rdnx6RcfyIFJVLgqNxlb2sQ")
OTHER_ES256 = (
    "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOlsic3RzLmFtYXpvbmF3cy5jb20iXSwiZXhwIjo"
    "xOTAwMDAwMDAwLCJpYXQiOjE3NDk5OTY0MDAsImlzcyI6Imh0dHBzOi8va3ViZXJuZXRlcy5kZWZhdWx0LnN"
    "2YyIsImt1YmVybmV0ZXMuaW8iOnsibmFtZXNwYWNlIjoic3Bhcmstam9icyIsInBvZCI6eyJuYW1lIjoic3B"
    "hcmstcGktZHJpdmVyIiwidWlkIjoiOGIzZTBmNmMtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAxIn0sInN"
    "lcnZpY2VhY2NvdW50Ijp7Im5hbWUiOiJzcGFyayIsInVpZCI6IjFmMGEyYjNjLTAwMDAtNDAwMC04MDAwLTA"
    "wMDAwMDAwMDAwMiJ9fSwibmJmIjoxNzQ5OTk2NDAwLCJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c3B"
    "hcmstam9iczpzcGFyayJ9.F8oZ3YgqRiYIGyO28u4T-DJi0L8AvsX8G9x8tFkQsvTalfILbaYcrMoxIuCkji"
    "aE6XELchr5qzuJiPXKw3lt8w")
OTHER_RS256 = (
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOlsic3RzLmFtYXpvbmF3cy5jb20iXSwiZXhwIjo"
    "xOTAwMDAwMDAwLCJpYXQiOjE3NDk5OTY0MDAsImlzcyI6Imh0dHBzOi8va3ViZXJuZXRlcy5kZWZhdWx0LnN"
    "2YyIsImt1YmVybmV0ZXMuaW8iOnsibmFtZXNwYWNlIjoic3Bhcmstam9icyIsInBvZCI6eyJuYW1lIjoic3B"
    "hcmstcGktZHJpdmVyIiwidWlkIjoiOGIzZTBmNmMtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAxIn0sInN"
    "lcnZpY2VhY2NvdW50Ijp7Im5hbWUiOiJzcGFyayIsInVpZCI6IjFmMGEyYjNjLTAwMDAtNDAwMC04MDAwLTA"
    "wMDAwMDAwMDAwMiJ9fSwibmJmIjoxNzQ5OTk2NDAwLCJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c3B"
    "hcmstam9iczpzcGFyayJ9.mvFyebS_Q7VAvzkI7zBHiimZPtREGP9rPJMyu_02LIfeJNEYmePZCP8g4eugmP"
    "43Vz7VNH0mHcR_BJBx21Z_z-iz-e7E-zK2JQF_inm3bSVGkiH38TPBVorF_JtWDYUgd6wcFCujyauSQfup2H"
    "I8wGR-a48DsAwVyTB77w4_nhpgy1i2_7HlBvt4EPaYrRfWNalDCwxhMi7wX87UFp5zmEluN8eRzWnDkIiCgU"
    "S1o4N9bg0PrxmPJFXlz_fzR-X_2XsIgTPoB1FM-m-lW595rs5zLVCFXkaU-yvE6AARdqgEmRRk7d2yR9__Fj"
    "fSqaBL_lzTXVvFz86_SPpZ0d2D6Q")
OTHER_ES256_KID = (
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJhdWQiOlsic3RzLmFtYXpvbmF3cy5jb20iXSwiZXhwIjox"
    "OTAwMDAwMDAwLCJpYXQiOjE3NDk5OTY0MDAsImlzcyI6Imh0dHBzOi8va3ViZXJuZXRlcy5kZWZhdWx0LnN2"
    "YyIsImt1YmVybmV0ZXMuaW8iOnsibmFtZXNwYWNlIjoic3Bhcmstam9icyIsInBvZCI6eyJuYW1lIjoic3Bh"
    "cmstcGktZHJpdmVyIiwidWlkIjoiOGIzZTBmNmMtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAxIn0sInNl"
    "cnZpY2VhY2NvdW50Ijp7Im5hbWUiOiJzcGFyayIsInVpZCI6IjFmMGEyYjNjLTAwMDAtNDAwMC04MDAwLTAw"
    "MDAwMDAwMDAwMiJ9fSwibmJmIjoxNzQ5OTk2NDAwLCJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c3Bh"
    "cmstam9iczpzcGFyayJ9.ViJz-_dYKw_xHOppj8d0fBLnVbD3v9m3dY8JxnbgASTWrlwn2AyURFJcYz_XMVV"
    "IbZoj_urwqiQHJlAUke2UKQ")


def jwt_seeds():
    """Tokens that must never pass wh_jwt_verify with the keys of fuzz_jwt.c."""
    payload = {"iss": "https://kubernetes.default.svc", "aud": ["sts.amazonaws.com"],
               "sub": "system:serviceaccount:spark-jobs:spark", "exp": 1900000000,
               "nbf": 1700000000, "iat": 1700000000,
               "kubernetes.io": {"namespace": "spark-jobs",
                                 "serviceaccount": {"name": "spark", "uid": "u-1"}}}
    p = b64url(compact(payload).encode())

    def tok(header, sig=b""):
        return "%s.%s.%s" % (b64url(compact(header).encode()), p, b64url(sig))
    seeds = {
        "seed-alg-none": tok({"alg": "none", "typ": "JWT"}),
        "seed-alg-none-upper": tok({"alg": "NONE"}),
        "seed-hs256": tok({"alg": "HS256", "typ": "JWT"}, b"\x01" * 32),
        "seed-es256-zero-sig": tok({"alg": "ES256", "kid": "k1"}, b"\x00" * 64),
        "seed-rs256-short-sig": tok({"alg": "RS256"}, b"\x00" * 10),
        "seed-two-dots": "a.b",
        "seed-padding": tok({"alg": "ES256"}, b"\x00" * 64) + "==",
        "seed-dup-alg": "%s.%s.%s" % (b64url(b'{"alg":"ES256","alg":"none"}'), p,
                                      b64url(b"\x00" * 64)),
        "seed-es256-embedded-expired": TOKEN_ES256,
        "seed-rs256-embedded-expired": TOKEN_RS256,
        "seed-es256-other-key": OTHER_ES256,
        "seed-rs256-other-key": OTHER_RS256,
        "seed-es256-other-key-kid": OTHER_ES256_KID,
        "seed-es256-alg-swapped-to-hs256": "%s.%s" % (
            b64url(b'{"alg":"HS256","typ":"JWT"}'), TOKEN_ES256.split(".", 1)[1]),
        "seed-nul-claim": "%s.%s.%s" % (b64url(b'{"alg":"ES256"}'),
                                        b64url(b'{"sub":"a\\u0000b","exp":1}'),
                                        b64url(b"\x00" * 64)),
    }
    for name, data in seeds.items():
        write("jwt", name, data)


def main():
    admission_seeds()
    config_seeds()
    objects_seeds()
    watch_seeds()
    pointer_seeds()
    jwt_seeds()


if __name__ == "__main__":
    main()
