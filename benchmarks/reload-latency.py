#!/usr/bin/env python3
"""reload-latency.py - how long a change to appsettings.json takes to apply in a running gateway.

Copies the gateway build to a temp directory (its appsettings.json is the one the gateway watches: content root =
the build directory), starts it, then N times per key rewrites appsettings.json in place (as an editor would) and
polls a request over one keep-alive connection until its answer changes. Reported: milliseconds from the start of
the write to the first changed answer (the poll itself takes ~1 ms). Keys:
  origins  Gateway:Origins:r added / removed   -> GET /hls/r/a.ts  404 <-> 200  (GatewayConfigMonitor)
  allow    Gateway:Access:Allow [] / [10/8]    -> GET /hls/o/a.ts  200 <-> 403  (AccessConfigMonitor)
Env: N (10), DLL_DIR (src/Gateway/bin/Release/net10.0). Needs nothing but python3 and the build. Writes
benchmarks/results/reload-latency-<stamp>.jsonl.
"""
import http.client, http.server, json, os, shutil, socket, statistics, subprocess, sys, tempfile, threading, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
n = int(os.environ.get("N", "10"))
src = os.environ.get("DLL_DIR", os.path.join(root, "src/Gateway/bin/Release/net10.0"))

class Origin(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        body = b"\x47" * 188
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.send_header("Content-Type", "video/mp2t"); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

origin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Origin)
threading.Thread(target=origin.serve_forever, daemon=True).start()
origin_url = f"http://127.0.0.1:{origin.server_address[1]}"

work = tempfile.mkdtemp(prefix="gw-reload-")
app = os.path.join(work, "app")
shutil.copytree(src, app)
settings_path = os.path.join(app, "appsettings.json")
base = json.load(open(settings_path))

def write(origins_extra, allow):
    s = json.loads(json.dumps(base))
    g = s.setdefault("Gateway", {})
    g["Origins"] = {"o": origin_url, **({"r": origin_url} if origins_extra else {})}
    g.setdefault("Access", {})["Allow"] = allow
    g.setdefault("Cache", {})["OtherTtl"] = "00:00:00"
    g["Cache"]["SegmentTtl"] = "00:00:00.001"
    with open(settings_path, "w") as f:  # in place, as an editor or `cat >` does
        json.dump(s, f, indent=2)

write(False, [])
port = free_port()
log = open(os.path.join(work, "gw.log"), "w")
gw = subprocess.Popen(["dotnet", os.path.join(app, "Gateway.dll"), f"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{port}",
                       "--Logging:LogLevel:Default=Warning"], stdout=log, stderr=subprocess.STDOUT)
conn = None

def status(path):
    global conn
    for _ in range(2):
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            r = conn.getresponse(); r.read()
            return r.status
        except (OSError, http.client.HTTPException):
            conn = None
    return 0

try:
    for _ in range(300):
        if status("/health/live") == 200:
            break
        time.sleep(0.1)
    trials = {"origins": [], "allow": []}
    state = {"origins": False, "allow": []}
    for key, path in (("origins", "/hls/r/a.ts"), ("allow", "/hls/o/a.ts")):  # one key after the other: a denying allowlist hides origins
        for i in range(n):
            time.sleep(1.0)  # let the previous change settle (the file watcher debounces)
            before = status(path)
            if key == "origins":
                state["origins"] = not state["origins"]
            else:
                state["allow"] = [] if state["allow"] else ["10.0.0.0/8"]
            t0 = time.perf_counter()
            write(state["origins"], state["allow"])
            polls = 0
            while True:
                s = status(path); polls += 1
                if s != before:
                    break
                if time.perf_counter() - t0 > 10:
                    s = None; break
            ms = (time.perf_counter() - t0) * 1000
            trials[key].append({"key": key, "trial": i, "from": before, "to": s, "ms": round(ms, 1), "polls": polls})
    stamp = time.strftime("%Y-%m-%dT%H%M%SZ", time.gmtime())
    out = os.path.join(root, "benchmarks/results", f"reload-latency-{stamp}.jsonl")
    with open(out, "w") as f:
        for key, rows in trials.items():
            for r in rows:
                f.write(json.dumps(r) + "\n")
            ok = [r["ms"] for r in rows if r["to"] is not None]
            summary = {"key": key, "n": len(rows), "applied": len(ok), "min_ms": min(ok), "median_ms": statistics.median(ok), "max_ms": max(ok)}
            f.write(json.dumps({"summary": summary}) + "\n")
            print(json.dumps(summary))
    print("wrote", out)
finally:
    gw.terminate(); gw.wait(timeout=30)
    origin.shutdown()
    shutil.rmtree(work, ignore_errors=True)
