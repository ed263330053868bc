#!/usr/bin/env python3
"""Markdown table (gateway vs nginx proxy_cache, same run) from a run-bench.sh JSON-lines file."""
import json, sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
meta = next((r for r in rows if r.get("label") == "meta"), {})
by = {}
for r in rows:
    if r.get("label") in ("gateway", "nginx-proxy-cache"):
        by.setdefault(r["test"], {})[r["label"]] = r
print(f"Measured {meta.get('date','?')} on {meta.get('cpus','?')} cores ({meta.get('cpu','?')}), .NET {meta.get('dotnet','?')}, nginx {meta.get('nginx','?')}, {meta.get('duration_s','?')} s per test.\n")
print("| test | metric | gateway | nginx proxy_cache | ratio (gw/nginx) |")
print("|---|---|---:|---:|---:|")
def f(v):
    return "n/a" if v is None else (f"{v:,.1f}" if isinstance(v, float) else str(v))
for test in ("m3u8", "ts", "h2c_m3u8", "h2c_ts", "tls_h1_m3u8", "tls_h1_ts", "tls_h2_m3u8", "tls_h2_ts", "tls_h2_ts_1s"):
    if test not in by:
        continue
    pair = by.get(test, {})
    g, n = pair.get("gateway", {}), pair.get("nginx-proxy-cache", {})
    for metric, key in (("req/s", "rps"), ("MB/s", "mb_s"), ("p50 ms", "lat_p50_ms"), ("p99 ms", "lat_p99_ms"), ("CPU µs/req", "server_cpu_us_per_req")):
        gv, nv = g.get(key), n.get(key)
        ratio = f"{gv / nv:.2f}" if isinstance(gv, (int, float)) and isinstance(nv, (int, float)) and nv else ""
        print(f"| {test} | {metric} | {f(gv)} | {f(nv)} | {ratio} |")
storm = by.get("storm", {})
for label in ("gateway", "nginx-proxy-cache"):
    s = storm.get(label)
    if s:
        c = s["client"]
        print(f"| storm ({s['clients']} clients, fresh segment) | origin fetches / ok / p99 ms | — | — | {label}: {s['origin_hits']} / {c['ok_2xx']} / {c['p99_ms']} |")
for test in ("ts", "tls_h1_ts", "tls_h2_ts", "tls_h2_ts_1s"):
    ceil = next((r for r in rows if r.get("label") == "kestrel-ceiling" and r.get("test") == test and "rps" in r), None)
    if ceil:
        g = by.get(test, {}).get("gateway", {})
        n = by.get(test, {}).get("nginx-proxy-cache", {})
        vs_n = f", bare Kestrel / nginx: {ceil['rps'] / n['rps']:.2f}" if n.get("rps") else ""
        print(f"| {test}, bare Kestrel (no gateway code, same bytes from memory) | req/s, p99 ms, CPU µs/req | {ceil['rps']:,.1f}, {ceil.get('lat_p99_ms')}, {ceil.get('server_cpu_us_per_req')} | | gateway / bare Kestrel: {g.get('rps', 0) / ceil['rps']:.2f}{vs_n} |")
