#!/usr/bin/env python3
"""report.py - prints test/bench/run.sh's table, ratios and targets.

usage: report.py META RESULTS [RSS-SAMPLES]

META is run.sh's key=value file (machine, versions, sizes); RESULTS its TSV of
runs: kind, label, case, mode, conns, server, wrk's BENCH line (post.lua's
done()), "VmHWM VmRSS hwm-was-reset" in kB, per-thread CPU %, extra. Exits 1
when any run had an error (or wrk failed), else 0: targets that are missed are
reported, not fatal.
"""
import sys

MIB = 1024.0
CASE_NAMES = {
    "d24": "spark-2.4-driver",
    "e35": "spark-3.5-executor",
    "many": "pod-many-containers",
}
# Targets of the benchmark issue
MIN_KA8_RATIO = 0.5  # sparkhook/nginx req/s, 3.5 executor, 8 keep-alive connections
MAX_KA8_P99_US = 1000  # sparkhook p99 there
MIN_CLOSE_RATIO = 0.8  # sparkhook/nginx req/s, a new connection per request
MAX_PEAK_RSS_KB = 16 * 1024  # after a million requests
RSS_GROWTH_SLACK_KB = 256  # "no growth": allocator/page jitter allowed, see README
LINEAR_SLACK = 1.2  # cost ratio <= size ratio * 1.2


def parse_meta(path):
    meta = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            meta[k] = v
    return meta


def parse_bench(line):
    out = {}
    for tok in line.split()[1:]:
        k, _, v = tok.partition("=")
        try:
            out[k] = float(v)
        except ValueError:
            out[k] = v
    return out


class Run:
    def __init__(self, cols):
        (self.kind, self.label, self.case, self.mode, conns, self.server, bench, mem, cpu,
         extra) = (cols + [""] * 10)[:10]
        self.conns = int(conns)
        self.b = parse_bench(bench)
        self.failed = "failed" in self.b or "rps" not in self.b
        hwm, rss, reset = (mem.split() + ["0", "0", "0"])[:3]
        self.hwm_kb, self.rss_kb, self.hwm_reset = int(hwm), int(rss), reset == "1"
        self.cpu = sorted((int(x) for x in cpu.split()), reverse=True)
        self.extra = extra
        kv = dict(x.split("=", 1) for x in extra.split() if "=" in x)
        self.wrk_cpu = int(kv["wrk"]) if "wrk" in kv else None
        self.others_cpu = int(kv["others"]) if "others" in kv else None
        # pauses.c: how long the machine itself stood still during the run
        self.paused_ms = float(kv["paused_ms"]) if "paused_ms" in kv else None
        self.pauses = int(kv["count"]) if "count" in kv else 0
        self.max_pause_ms = float(kv.get("max_ms", 0))
        self.pause_fifo = kv.get("fifo") == "1"

    @property
    def rps(self):
        return self.b.get("rps", 0.0)

    def pct(self, key):
        return self.b.get(key, 0.0)

    @property
    def errors(self):
        if self.failed:
            return -1
        b = self.b
        # non2xx (post.lua) includes wrk's status (> 399) unless BENCH_NO_RESPONSE=1
        return int(b["connect"] + b["read"] + b["write"] + b["timeout"] + max(b["non2xx"], b["status"]))

    @property
    def error_text(self):
        if self.failed:
            return "wrk failed"
        if self.errors == 0:
            return "0"
        b = self.b
        parts = [f"{k} {int(b[k])}" for k in ("connect", "read", "write", "timeout", "status", "non2xx")
                 if b[k]]
        return f"{self.errors} ({', '.join(parts)})"

    @property
    def cpu_us_per_req(self):
        """Server CPU time per request, in microseconds."""
        req = self.b.get("requests", 0)
        secs = self.b.get("duration_us", 0) / 1e6
        return sum(self.cpu) / 100.0 * secs / req * 1e6 if req else 0.0


def paused_text(r):
    if r.paused_ms is None:
        return "-"
    return f"{r.paused_ms:.0f}ms/{r.pauses}" + ("" if r.pause_fifo else "?")


def disturbance(pair):
    """How much the machine paused during a sparkhook/nginx pair (the worse)."""
    return max((r.paused_ms or 0.0) for r in pair)


def ms(us):
    return f"{us / 1000:.2f}ms"


def mib(kb):
    return f"{kb / MIB:.1f}MiB"


def cpu_text(r):
    if not r.cpu:
        return "-"
    return f"{sum(r.cpu)}% = " + "+".join(str(x) for x in r.cpu)


def table(rows, headers):
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    fmt = " | ".join(f"{{:{'<' if i < 2 else '>'}{w}}}" for i, w in enumerate(widths))
    print(fmt.format(*headers))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(fmt.format(*row))


def verdict(ok):
    return "PASS" if ok else "FAIL"


def main(argv):
    meta = parse_meta(argv[1])
    with open(argv[2], encoding="utf-8") as f:
        runs = [Run(line.rstrip("\n").split("\t")) for line in f if line.strip()]
    samples_path = argv[3] if len(argv) > 3 and argv[3] else None
    smoke = meta.get("smoke") == "1"
    matrix = [r for r in runs if r.kind == "run" and not r.label.startswith("sweep/")]
    sweep = [r for r in runs if r.kind == "run" and r.label.startswith("sweep/")]
    million = [r for r in runs if r.kind == "million"]

    print()
    what = f"{meta.get('duration')}s per run" if matrix else "million-request run only"
    print(f"sparkhook benchmark  {meta.get('date')}  ({'smoke, ' if smoke else ''}{what})")
    print(f"machine   {meta.get('nproc')} cores, {meta.get('cpu')}, {meta.get('kernel')}")
    print(f"load avg  start {meta.get('load_start')}, end {meta.get('load_end')}"
          "  (1/5/15 min; anything well above 0 at start is a neighbour competing)")
    print(f"sparkhook {meta.get('sparkhook')}")
    print(f"nginx     {meta.get('nginx')}")
    print(f"client    wrk {meta.get('wrk')}; {meta.get('libs')}")
    tls_s, tls_n = meta.get("tls_sparkhook", "").split(), meta.get("tls_nginx", "").split()
    if len(tls_s) == 4 and len(tls_n) == 4:
        print(f"TLS       sparkhook {tls_s[0]} {tls_s[1]} {tls_s[2]}, resumed {tls_s[3]};"
              f" nginx {tls_n[0]} {tls_n[1]} {tls_n[2]}, resumed {tls_n[3]}"
              f"{'' if tls_s == tls_n else '   <- NOT THE SAME'}")
    sizes = {c: (int(meta.get(f"body_{c}", 0)), int(meta.get(f"resp_{c}", 0))) for c in CASE_NAMES}
    print("requests  " + "; ".join(f"{c} = {CASE_NAMES[c]}: {sizes[c][0]} B body, {sizes[c][1]} B answer"
                                   for c in CASE_NAMES))
    print("modes     ka8/ka64 = keep-alive, 8/64 connections; close8 = 8 connections, "
          "Connection: close (a TLS handshake per request)")
    print("sparkhook --log-level warn (no access log); nginx access_log off. "
          "sparkhook-info: --log-level info, stderr to /dev/null")

    by = {(r.label, r.server): r for r in matrix}
    if matrix:
        print()
        rows = []
        for r in matrix:
            rows.append([r.label, r.server, f"{r.rps:.0f}", ms(r.pct("p50_us")), ms(r.pct("p99_us")),
                         ms(r.pct("p999_us")), r.error_text,
                         mib(r.hwm_kb) + ("" if r.hwm_reset else "*"), mib(r.rss_kb), cpu_text(r),
                         "-" if r.wrk_cpu is None else f"{r.wrk_cpu}%",
                         "-" if r.others_cpu is None else f"{r.others_cpu}%", paused_text(r)])
        table(rows, ["scenario", "server", "req/s", "p50", "p99", "p99.9", "errors", "peak RSS",
                     "RSS after", "server CPU (per thread/process)", "wrk CPU", "others", "paused"])
        print("peak RSS = VmHWM over the run (reset through /proc/PID/clear_refs before each run"
              "; * = reset refused, cumulative since start); nginx = master + workers summed.")
        print("server CPU = % of one core over the run, split by sparkhook thread / nginx process;"
              " wrk CPU = the client's; others = the rest of the machine (anything above a few %"
              " is a neighbour: that run is disturbed).")
        print("paused = how long the machine itself stood still during the run, and how often"
              " (test/bench/pauses.c: a real-time thread per CPU that wakes every 5 ms and"
              " measures how late; ? = real-time priority refused). It stalls server and client"
              " alike, and wrk turns a pause into p99: once the pauses add up to 1% of a run"
              f" ({float(meta.get('duration') or 10) * 10:.0f} ms here), no server can show a p99 below them.")
        noisy = [r for r in matrix if (r.others_cpu or 0) > 10]
        if noisy:
            print(f"WARNING: {len(noisy)} of {len(matrix)} runs shared the machine with other work"
                  f" (others up to {max(r.others_cpu for r in noisy)}% of a core): the figures, ratios"
                  " included, are not representative. Run again on a quiet machine.")

        print()
        print("ratios sparkhook/nginx:")
        for label in dict.fromkeys(r.label for r in matrix):
            s, n = by.get((label, "sparkhook")), by.get((label, "nginx"))
            if s and n and n.rps and n.pct("p99_us"):
                print(f"  {label:<12} req/s {s.rps / n.rps:5.2f}x   p99 {s.pct('p99_us') / n.pct('p99_us'):5.2f}x"
                      f"   CPU/request {s.cpu_us_per_req:6.1f}us vs {n.cpu_us_per_req:6.1f}us"
                      f"   peak RSS {s.hwm_kb / MIB:4.1f} vs {n.hwm_kb / MIB:4.1f} MiB")
        si, sw = by.get(("e35/ka8", "sparkhook-info")), by.get(("e35/ka8", "sparkhook"))
        if si and sw and sw.rps:
            print(f"  access logging (info vs warn, e35/ka8): req/s {si.rps:.0f} vs {sw.rps:.0f} = "
                  f"{si.rps / sw.rps:.2f}x, p99 {ms(si.pct('p99_us'))} vs {ms(sw.pct('p99_us'))}, "
                  f"CPU/request {si.cpu_us_per_req:.1f} vs {sw.cpu_us_per_req:.1f} us")

    if sweep:
        print()
        print("size sweep: sparkhook alone, keep-alive, 8 connections, the 50-container generator"
              " (test/fixtures/reviews/gen-many-containers.py) at other container counts:")
        rows, base = [], None
        for r in sweep:
            size = int(meta.get(f"body_{r.case}", 0))
            per_kib = r.cpu_us_per_req / (size / 1024.0) if size else 0
            if base is None:
                base = (size, r.cpu_us_per_req)
            rows.append([r.label.split("/n")[-1], f"{size}", f"{r.rps:.0f}", ms(r.pct("p99_us")),
                         r.error_text, f"{r.cpu_us_per_req:.0f}", f"{per_kib:.1f}",
                         f"{size / base[0]:.1f}x / {r.cpu_us_per_req / base[1]:.1f}x", cpu_text(r),
                         "-" if r.others_cpu is None else f"{r.others_cpu}%"])
        table(rows, ["containers", "body B", "req/s", "p99", "errors", "CPU us/req", "CPU us/KiB",
                     "size / cost vs first", "server CPU", "others"])
        print("linear cost = a flat CPU us/KiB column (a fixed per-request part makes it fall"
              " at first); a column that keeps rising = superlinear")

    mil = None
    if million:
        print()
        print("million-request run (fresh sparkhook, 8 keep-alive connections, spark-3.5-executor):")
        # per-second samples: t, requests done before the chunk in progress, VmRSS, VmHWM
        samples = []
        if samples_path:
            with open(samples_path, encoding="utf-8") as f:
                next(f)
                for line in f:
                    parts = line.split()
                    if len(parts) == 4:
                        samples.append((int(parts[1]), int(parts[2]), int(parts[3])))
        rows, prev = [], "0"
        for r in million:
            during = [rss for done, rss, _ in samples if str(done) == prev]
            rows.append([r.extra, f"{r.rps:.0f}", ms(r.pct("p99_us")), r.error_text,
                         f"{max(during)} kB" if during else "-", f"{r.rss_kb} kB", f"{r.hwm_kb} kB",
                         cpu_text(r)])
            prev = r.extra
        table(rows, ["requests", "req/s", "p99", "errors", "VmRSS max during", "VmRSS after",
                     "VmHWM after", "server CPU"])
        first, last = million[0], million[-1]
        peak = max([r.hwm_kb for r in million] + [hwm for _, _, hwm in samples])
        growth = last.rss_kb - first.rss_kb
        total = int(last.extra or 0)
        per_req = growth * 1024.0 / max(total - int(first.extra or 0), 1)
        print(f"  VmRSS after {first.extra} requests: {first.rss_kb} kB; after {total}: {last.rss_kb} kB"
              f" (growth {growth:+d} kB, {per_req:+.3f} B/request); VmHWM {first.hwm_kb} -> {last.hwm_kb} kB;"
              f" peak {peak} kB = {peak / MIB:.1f} MiB")
        if len(million) > 2:
            second = million[1]
            g2 = last.rss_kb - second.rss_kb
            n2 = max(total - int(second.extra or 0), 1)
            print(f"  from {second.extra} to {total} requests: VmRSS {g2:+d} kB ({g2 * 1024.0 / n2:+.3f} B/request)"
                  " -- a step in the first 200k that stops is warm-up (e.g. the first requests served by a"
                  " second thread: see server CPU), steady growth is a leak")
        mil = (first, last, peak, growth, total)

    # ---- targets -----------------------------------------------------------
    all_errors = [r for r in runs if r.errors != 0]
    print()
    if smoke:
        print("TARGETS: not judged (smoke run: 1 s runs are too short to mean anything)")
        for r in all_errors:
            print(f"  ERRORS in {r.label} {r.server}: {r.error_text}")
        print(f"  zero errors in every run: {verdict(not all_errors)}")
        return 1 if all_errors else 0

    print("TARGETS")
    # The judged pair: the least disturbed attempt (run.sh repeats the pair
    # when the machine paused during it; pauses.c alone decides).
    attempts = [(lab, by[(lab, "sparkhook")], by[(lab, "nginx")])
                for lab in ["e35/ka8"] + [f"e35/ka8#{i}" for i in range(2, 6)]
                if (lab, "sparkhook") in by and (lab, "nginx") in by]
    s = n = None
    if attempts:
        lab, s, n = min(attempts, key=lambda a: disturbance(a[1:]))
        if len(attempts) > 1:
            print(f"  (3.5 executor at 8 keep-alive connections, {len(attempts)} attempts: the machine"
                  " paused " + ", ".join(f"{disturbance(a[1:]):.0f} ms" for a in attempts)
                  + f" during them; judged: {lab}, the least disturbed)")
        pause_note = ""
        if (s.paused_ms or 0) >= float(meta.get("duration") or 10) * 5:
            pause_note = (f"; the machine paused {s.paused_ms:.0f} ms during sparkhook's run: the"
                          " p99 is the machine's as much as the server's")
    if s and n:
        ratio = s.rps / n.rps if n.rps else 0
        print(f"  [{verdict(ratio >= MIN_KA8_RATIO)}] 3.5 executor, 8 keep-alive connections: req/s >= "
              f"{MIN_KA8_RATIO}x nginx: {s.rps:.0f} / {n.rps:.0f} = {ratio:.2f}x"
              f" (sparkhook used {sum(s.cpu)}% of {meta.get('nproc')} cores; CPU per request"
              f" {s.cpu_us_per_req:.0f} vs {n.cpu_us_per_req:.0f} us = {s.cpu_us_per_req / n.cpu_us_per_req:.1f}x nginx's)")
        p99 = s.pct("p99_us")
        print(f"  [{verdict(p99 <= MAX_KA8_P99_US)}] 3.5 executor, 8 keep-alive connections: p99 <= 1 ms:"
              f" {ms(p99)} (nginx {ms(n.pct('p99_us'))}{pause_note})")
    else:
        print("  [NOT RUN] 3.5 executor, 8 keep-alive connections")
    s, n = by.get(("e35/close8", "sparkhook")), by.get(("e35/close8", "nginx"))
    if s and n:
        ratio = s.rps / n.rps if n.rps else 0
        print(f"  [{verdict(ratio >= MIN_CLOSE_RATIO)}] new connection per request (3.5 executor, 8 connections):"
              f" req/s >= {MIN_CLOSE_RATIO}x nginx: {s.rps:.0f} / {n.rps:.0f} = {ratio:.2f}x")
    else:
        print("  [NOT RUN] new connection per request")
    if mil:
        first, last, peak, growth, total = mil
        print(f"  [{verdict(peak <= MAX_PEAK_RSS_KB and total >= 1000000)}] peak RSS <= 16 MiB after a million"
              f" requests: VmHWM {peak} kB = {peak / MIB:.1f} MiB after {total} requests")
        print(f"  [{verdict(growth <= RSS_GROWTH_SLACK_KB)}] no RSS growth between the first and the last"
              f" 100k requests: VmRSS {first.rss_kb} -> {last.rss_kb} kB ({growth:+d} kB;"
              f" judged as growth <= {RSS_GROWTH_SLACK_KB} kB)")
    else:
        print("  [NOT RUN] peak RSS <= 16 MiB after a million requests (run with --million)")
        print("  [NOT RUN] no RSS growth between the first and the last 100k requests (run with --million)")
    # Linear in pod size: the same pod shape at growing sizes (the sweep),
    # server CPU per request against body bytes, each size against the first.
    if len(sweep) >= 2:
        first = sweep[0]
        size0 = int(meta.get(f"body_{first.case}", 0))
        worst, worst_label = 0.0, ""
        for r in sweep[1:]:
            size = int(meta.get(f"body_{r.case}", 0))
            if not (size0 and size and first.cpu_us_per_req):
                continue
            excess = (r.cpu_us_per_req / first.cpu_us_per_req) / (size / size0)
            if excess > worst:
                worst, worst_label = excess, r.label.split("/n")[-1]
        ok = 0 < worst <= LINEAR_SLACK
        print(f"  [{verdict(ok)}] request cost at most linear in pod size: across the size sweep"
              f" ({first.label.split('/n')[-1]} to {sweep[-1].label.split('/n')[-1]} containers), CPU per"
              f" request grows at most {worst:.2f}x as fast as the body (at {worst_label} containers;"
              f" PASS when <= {LINEAR_SLACK})")
    else:
        print("  [NOT RUN] request cost at most linear in pod size (the size sweep; drop --quick)")
    s35, smany = by.get(("e35/ka8", "sparkhook")), by.get(("many/ka8", "sparkhook"))
    n35, nmany = by.get(("e35/ka8", "nginx")), by.get(("many/ka8", "nginx"))
    if s35 and smany and s35.cpu_us_per_req:
        a35, amany = sizes["e35"][1], sizes["many"][1]
        print(f"         for information, two different pods: the 50-container pod costs"
              f" {smany.cpu_us_per_req / s35.cpu_us_per_req:.1f}x the 3.5 executor's CPU for"
              f" {sizes['many'][0] / sizes['e35'][0]:.1f}x the request and {amany / a35:.1f}x the"
              " answer (every container gets the identity env and mounts)"
              + (f"; nginx {n35.rps / nmany.rps:.1f}x" if n35 and nmany and nmany.rps else ""))
    for r in all_errors:
        print(f"  errors in {r.label} {r.server}: {r.error_text}")
    print(f"  [{verdict(not all_errors)}] zero errors in every run ({len(runs)} runs)")
    return 1 if all_errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
