// Live monitor page: polls /stats every few seconds and appends to uPlot charts (no page reload).
(function () {
  "use strict";
  const params = new URLSearchParams(location.search);
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  const configured = parseFloat(document.body.dataset.refresh);
  const requested = parseFloat(params.get("refresh"));
  const refresh = clamp(isFinite(requested) ? requested : (isFinite(configured) ? configured : 2), 0.5, 60);
  const token = params.get("token");
  const maxPoints = Math.max(60, Math.round(600 / refresh)); // about ten minutes of history
  const $ = id => document.getElementById(id);
  $("refresh").textContent = String(refresh);

  const css = name => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const palette = () => ["--c1", "--c2", "--c3", "--c4", "--c5", "--c6"].map(css);

  // chart id -> series taken from a stats document (null = gap)
  const charts = [
    { id: "chart-rps", series: [["requests/s", s => s.requestsPerSecond]] },
    { id: "chart-hit", series: [["hit %", s => s.hitRatio == null ? null : s.hitRatio * 100]], range: [0, 100] },
    { id: "chart-latency", series: [
      ["playlist p50", s => s.latency.media_playlist.p50Ms], ["playlist p95", s => s.latency.media_playlist.p95Ms], ["playlist p99", s => s.latency.media_playlist.p99Ms],
      ["segment p50", s => s.latency.segment.p50Ms], ["segment p95", s => s.latency.segment.p95Ms], ["segment p99", s => s.latency.segment.p99Ms]] },
    { id: "chart-bw", series: [["out", s => s.bytesOutPerSecond * 8 / 1e6], ["in", s => s.bytesInPerSecond * 8 / 1e6]] },
    { id: "chart-conn", series: [["connections", s => s.activeConnections], ["HTTP/1.1 req", s => s.activeRequests["http/1.1"]], ["HTTP/2 streams", s => s.activeRequests["http/2"]]] },
    { id: "chart-redis", series: [["p50", s => s.redis.p50Ms], ["p99", s => s.redis.p99Ms], ["last PING", s => s.redis.lastPingMs]] },
  ];

  function makePlot(chart) {
    const el = $(chart.id);
    const colors = palette();
    const axis = { stroke: css("--muted"), grid: { stroke: css("--grid"), width: 1 }, ticks: { stroke: css("--grid") } };
    const opts = {
      width: Math.max(200, el.clientWidth), height: 220,
      scales: { x: { time: true }, y: chart.range ? { range: chart.range } : { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [axis, Object.assign({ size: 55 }, axis)],
      legend: { live: true },
      series: [{}].concat(chart.series.map((s, i) => ({ label: s[0], stroke: colors[i % colors.length], width: 1.5, spanGaps: false, points: { show: false } }))),
    };
    chart.data = [[]].concat(chart.series.map(() => []));
    chart.plot = new uPlot(opts, chart.data, el);
  }

  function buildAll() {
    for (const c of charts) {
      if (c.plot) { c.plot.destroy(); }
      const keep = c.data;
      makePlot(c);
      if (keep && keep[0].length) { c.data = keep; c.plot.setData(c.data); }
    }
  }

  function push(stats) {
    const t = Date.parse(stats.now) / 1000;
    for (const c of charts) {
      c.data[0].push(t);
      c.series.forEach((s, i) => { let v = null; try { v = s[1](stats); } catch (e) { v = null; } c.data[i + 1].push(v == null ? null : +v); });
      if (c.data[0].length > maxPoints) { c.data.forEach(a => a.shift()); }
      c.plot.setData(c.data);
    }
  }

  const fmt = (v, digits) => v == null ? "–" : Number(v).toFixed(digits);
  const bits = bps => bps >= 1e9 ? fmt(bps / 1e9, 2) + " Gbit/s" : bps >= 1e6 ? fmt(bps / 1e6, 2) + " Mbit/s" : fmt(bps / 1e3, 1) + " kbit/s";
  const bytes = n => n >= 1e9 ? fmt(n / 1e9, 2) + " GB" : n >= 1e6 ? fmt(n / 1e6, 1) + " MB" : n >= 1e3 ? fmt(n / 1e3, 1) + " kB" : String(n) + " B";
  const ms = v => v == null ? "–" : (v < 10 ? fmt(v, 2) : fmt(v, 0)) + " ms";
  const duration = s => { s = Math.floor(s); const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60); return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m ${s % 60}s`; };
  const time = iso => iso ? new Date(iso).toLocaleTimeString() : "–";
  const eta = s => s == null ? "–" : s < 1 ? "<1s" : duration(s);
  const rate = bps => bps > 0 ? bytes(bps) + "/s" : "–";

  function cell(row, text, cls) { const td = document.createElement("td"); td.textContent = text; if (cls) { td.className = cls; } row.appendChild(td); }
  // a progress bar plus its percentage as text (the text is what tests and screen readers read)
  function progress(row, sent, total) {
    const pct = total > 0 ? Math.min(100, sent / total * 100) : 0;
    const td = document.createElement("td"); const wrap = document.createElement("div"); wrap.className = "progress";
    const bar = document.createElement("span"); bar.className = "bar";
    const fillEl = document.createElement("span"); fillEl.style.width = pct.toFixed(1) + "%"; bar.appendChild(fillEl);
    const label = document.createElement("span"); label.className = "pct"; label.textContent = fmt(pct, pct < 10 ? 1 : 0) + " %";
    td.title = bytes(sent) + " of " + bytes(total);
    wrap.append(bar, label); td.appendChild(wrap); row.appendChild(td);
  }
  function fill(tbody, rows, columns, emptyText) {
    tbody.replaceChildren();
    if (!rows.length) {
      const tr = document.createElement("tr"); const td = document.createElement("td");
      td.colSpan = columns; td.className = "empty"; td.textContent = emptyText; tr.appendChild(td); tbody.appendChild(tr); return;
    }
    for (const r of rows) { const tr = document.createElement("tr"); r(tr); tbody.appendChild(tr); }
  }

  function render(s) {
    $("uptime").textContent = duration(s.uptimeSeconds);
    $("updated").textContent = time(s.now);
    $("kpi-rps").textContent = fmt(s.requestsPerSecond, s.requestsPerSecond < 10 ? 2 : 0);
    $("kpi-window").textContent = String(s.requestsInWindow);
    $("kpi-hit").textContent = s.hitRatio == null ? "–" : fmt(s.hitRatio * 100, 1) + " %";
    $("kpi-out").textContent = bits(s.bytesOutPerSecond * 8);
    $("kpi-in").textContent = bits(s.bytesInPerSecond * 8);
    $("kpi-conn").textContent = String(s.activeConnections);
    $("kpi-proto").textContent = `HTTP/1.1 ${s.activeRequests["http/1.1"]} · HTTP/2 ${s.activeRequests["http/2"]} in flight`;
    $("kpi-seg").textContent = ms(s.latency.segment.p99Ms);
    $("kpi-pl").textContent = ms(s.latency.media_playlist.p99Ms);
    const r = s.redis;
    $("kpi-redis").textContent = !r.configured ? "off" : r.error ? "down" : ms(r.lastPingMs);
    $("kpi-redis-sub").textContent = !r.configured ? "not configured" : r.error ? r.error : `p99 ${ms(r.p99Ms)} · ${r.commands} cmds/min`;

    const urls = new Map((s.originUrls || []).map(u => [u.origin, u]));
    fill($("origins"), s.origins.map(o => tr => {
      const u = urls.get(o.name);
      const backup = u && u.urls.some(x => x.active && x.role === "backup");
      cell(tr, o.name); cell(tr, o.status, "status-" + o.status); cell(tr, u ? u.activeUrl + (backup ? " (backup)" : "") : "–", backup ? "err" : "");
      cell(tr, ms(o.latencyMs)); cell(tr, time(o.checkedAt)); cell(tr, o.error || "", o.error ? "err" : "");
    }), 6, "no origins configured");
    fill($("streams"), s.topStreams.map(t => tr => { cell(tr, t.stream); cell(tr, String(t.viewers), "num"); }), 2, "no viewers in the last 30 s");
    fill($("recordings"), s.recorder.map(x => tr => {
      cell(tr, x.stream); cell(tr, x.state); cell(tr, time(x.startedAt)); cell(tr, String(x.segmentsWritten), "num"); cell(tr, String(x.gaps), "num");
      cell(tr, bytes(x.bytesWritten), "num"); cell(tr, bytes(x.bytesUploaded), "num"); cell(tr, String(x.uploadQueue), "num");
      cell(tr, x.upload && x.uploadQueue > 0 ? eta(x.upload.etaSeconds) : "–", "num"); cell(tr, x.lastError || "", x.lastError ? "err" : "");
    }), 10, "no recordings");
    fill($("uploads"), (s.uploads || []).map(u => tr => {
      tr.dataset.state = u.state;
      cell(tr, u.stream); cell(tr, String(u.part), "num"); cell(tr, u.state, "upload-" + u.state); progress(tr, u.bytesSent, u.bytes);
      cell(tr, u.state === "uploading" ? rate(u.bytesPerSecond) : "–", "num"); cell(tr, u.state === "uploading" ? eta(u.etaSeconds) : "–", "num");
      cell(tr, String(u.attempts), "num"); cell(tr, u.error || "", u.error ? "err" : "");
    }), 8, "no uploads waiting, running or failed");
  }

  function setState(ok, text) { const el = $("state"); el.textContent = text; el.className = "pill " + (ok ? "ok" : "bad"); }

  let updates = 0;
  async function tick() {
    try {
      const headers = token ? { "Authorization": "Bearer " + token } : {};
      const response = await fetch("/stats", { headers: headers, cache: "no-store" });
      if (!response.ok) { setState(false, "HTTP " + response.status); return; }
      const stats = await response.json();
      render(stats);
      push(stats);
      updates++;
      document.body.dataset.updates = String(updates);
      setState(true, "live");
    } catch (e) {
      setState(false, "offline");
    } finally {
      setTimeout(tick, refresh * 1000);
    }
  }

  buildAll();
  let resizeTimer = 0;
  new ResizeObserver(() => { clearTimeout(resizeTimer); resizeTimer = setTimeout(() => charts.forEach(c => c.plot.setSize({ width: Math.max(200, $(c.id).clientWidth), height: 220 })), 100); })
    .observe(document.querySelector(".charts"));
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", buildAll);
  tick();
})();
