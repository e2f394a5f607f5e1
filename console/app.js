// Sluice web console (docs/console.md): one page, hash routes, no framework.
// Talks only to this server's /api/v1 with the bearer token the user typed in
// (kept in sessionStorage: gone when the tab closes, never sent by the browser
// on its own, so other sites cannot ride on it: no CSRF).
// Every value from the server is put in the page as text (textContent), never as HTML.
"use strict";

const POLL_MS = 2000;
const TOKEN_KEY = "sluice-token";
const HISTORY_MS = 10 * 60 * 1000;  // sparklines: the last 10 minutes

const state = {
  token: sessionStorage.getItem(TOKEN_KEY) || "",
  page: null,          // {refresh(), leave()} of the current page
  lagHistory: new Map(),  // group -> [[time, total lag]], and "group/topic/partition" -> [[time, lag]]
  jobSamples: new Map(),  // job -> {time, ops: Map(name -> {in, out})} for rates
  jobRates: new Map(),    // job -> Map(name -> {in, out}) records per second
  checkpoints: new Map(), // job -> [last_checkpoint objects seen], newest first
};

// ---------- DOM helpers ----------

// h("td", {class: "num"}, "text", node, ...): children are strings (as text) or nodes.
function h(tag, attrs, ...children) {
  const svg = ["svg", "g", "rect", "text", "path", "polyline", "marker", "title", "defs", "line"].includes(tag);
  const e = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function main() { return document.getElementById("main"); }

function setStatus(text, isError) {
  const s = document.getElementById("status");
  s.textContent = text;
  s.className = isError ? "error" : "";
}

function fmtNum(n) {
  if (n === null || n === undefined) return "–";
  return Number(n).toLocaleString("en-US", {maximumFractionDigits: 1});
}

function fmtBytes(n) {
  if (n === null || n === undefined) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = Number(n);
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? v : v.toFixed(1)) + " " + units[i];
}

function fmtDuration(ms) {
  if (ms < 0 || !isFinite(ms)) return "–";
  const s = Math.floor(ms / 1000);
  if (s < 60) return s + "s";
  if (s < 3600) return Math.floor(s / 60) + "m " + (s % 60) + "s";
  if (s < 86400) return Math.floor(s / 3600) + "h " + Math.floor((s % 3600) / 60) + "m";
  return Math.floor(s / 86400) + "d " + Math.floor((s % 86400) / 3600) + "h";
}

// A time in the viewer's local zone, UTC on hover.
function fmtTime(ms) {
  if (ms === null || ms === undefined || ms <= 0) return "–";
  const d = new Date(Number(ms));
  return h("time", {datetime: d.toISOString(), title: d.toISOString().replace("T", " ").replace("Z", " UTC")},
           d.toLocaleString());
}

function stateCell(s) { return h("span", {class: "state-" + s}, s); }

function table(headers, rows, attrs) {
  return h("table", attrs || {},
           h("thead", {}, h("tr", {}, headers.map(c => h("th", {scope: "col", class: /^#|\/s$|lag|bytes|size|offset|records|partitions|restarts|count|parallelism/i.test(c) ? "num" : null}, c)))),
           h("tbody", {}, rows));
}

function row(...cells) {
  return h("tr", {}, cells.map(c => (c instanceof Node && c.tagName === "TD") ? c : h("td", {}, c)));
}

function num(v, attrs) { return h("td", Object.assign({class: "num"}, attrs || {}), typeof v === "string" ? v : fmtNum(v)); }

// A small line of the last values: [[time, value]].
function sparkline(points, label) {
  const w = 120, hgt = 24;
  const svg = h("svg", {class: "spark", width: w, height: hgt, viewBox: `0 0 ${w} ${hgt}`, role: "img",
                        "aria-label": label});
  if (points.length < 2) return svg;
  const t0 = points[0][0], t1 = points[points.length - 1][0];
  const max = Math.max(1, ...points.map(p => p[1]));
  const coords = points.map(([t, v]) =>
    `${((t - t0) / Math.max(1, t1 - t0) * (w - 2) + 1).toFixed(1)},${(hgt - 2 - v / max * (hgt - 4)).toFixed(1)}`);
  svg.append(h("polyline", {points: coords.join(" ")}));
  return svg;
}

function remember(map, key, value, now) {
  let list = map.get(key);
  if (!list) { list = []; map.set(key, list); }
  list.push([now, value]);
  while (list.length && list[0][0] < now - HISTORY_MS) list.shift();
}

// ---------- API ----------

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || ("HTTP " + status));
    this.status = status;
    this.body = body;
  }
}

async function api(method, path, body, contentType) {
  const headers = {"Authorization": "Bearer " + state.token};
  const init = {method, headers, cache: "no-store"};
  if (body !== undefined) {
    headers["Content-Type"] = contentType || "application/json";
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  const r = await fetch("/api/v1/" + path, init);
  let data = null;
  const text = await r.text();
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = {error: text}; }
  if (r.status === 401) {
    if (sessionStorage.getItem(TOKEN_KEY)) forgetToken();  // not while signing in: the form shows why
    throw new ApiError(401, data);
  }
  if (!r.ok) throw new ApiError(r.status, data);
  return data;
}

function forgetToken() {
  state.token = "";
  sessionStorage.removeItem(TOKEN_KEY);
  document.getElementById("logout").hidden = true;
  route();
}

// ---------- samples shared by pages (rates, lag history) ----------

function sampleJob(job, now) {
  const ops = new Map();
  for (const op of job.operators || []) ops.set(op.name, {in: op.records_in, out: op.records_out});
  const prev = state.jobSamples.get(job.name);
  const rates = new Map();
  if (prev && now > prev.time) {
    const dt = (now - prev.time) / 1000;
    for (const [name, c] of ops) {
      const p = prev.ops.get(name) || {in: 0, out: 0};
      rates.set(name, {in: Math.max(0, c.in - p.in) / dt, out: Math.max(0, c.out - p.out) / dt});
    }
    state.jobRates.set(job.name, rates);
  }
  state.jobSamples.set(job.name, {time: now, ops});
  if (job.last_checkpoint) {
    const list = state.checkpoints.get(job.name) || [];
    if (!list.length || list[0].id !== job.last_checkpoint.id) list.unshift(job.last_checkpoint);
    state.checkpoints.set(job.name, list.slice(0, 20));
  }
}

function jobTotals(job) {
  const rates = state.jobRates.get(job.name);
  let inRate = null, outRate = null;
  if (rates) {
    inRate = 0; outRate = 0;
    for (const op of job.operators || []) {
      const r = rates.get(op.name);
      if (!r) continue;
      if (op.kind === "source") inRate += r.out;
      if (op.kind === "sink") outRate += r.in;
    }
  }
  return {inRate, outRate};
}

function sampleGroups(groups, now) {
  for (const g of groups) {
    if (g.lag_history && g.lag_history.length && !state.lagHistory.has(g.group)) {
      // The server's samples (every 5 s since it started) fill the minutes before this page opened.
      state.lagHistory.set(g.group, g.lag_history.filter(([t]) => t < now - 1000));
    }
    remember(state.lagHistory, g.group, g.total_lag || 0, now);
    for (const o of g.offsets) remember(state.lagHistory, `${g.group}/${o.topic}/${o.partition}`, o.lag || 0, now);
  }
}

async function jobDetails() {
  const list = await api("GET", "jobs");
  const now = Date.now();
  const details = await Promise.all(list.map(j => api("GET", "jobs/" + encodeURIComponent(j.name)).catch(() => j)));
  for (const d of details) sampleJob(d, now);
  return details;
}

// ---------- pages ----------

function countBy(list, f) {
  const m = new Map();
  for (const x of list) m.set(f(x), (m.get(f(x)) || 0) + 1);
  return m;
}

function card(label, value, extra, id) {
  return h("div", {class: "card", id}, h("div", {class: "label"}, label), h("div", {class: "big"}, value), extra || null);
}

const pages = {};

pages.overview = function () {
  const body = h("div", {id: "overview"}, h("p", {}, "Loading…"));
  main().replaceChildren(h("h1", {}, "Overview"), body);
  return {
    async refresh() {
      const [ov, topics, jobs, groups] = await Promise.all([api("GET", "overview"), api("GET", "topics"),
                                                           jobDetails(), api("GET", "groups")]);
      sampleGroups(groups, Date.now());
      const byState = countBy(jobs, j => j.state);
      const totalLag = groups.reduce((a, g) => a + (g.total_lag || 0), 0);
      const used = ov.disk_total_bytes - ov.disk_free_bytes;
      const bar = h("span", {class: "bar", role: "img", "aria-label": "disk used"}, h("span"));
      bar.firstChild.style.width = (ov.disk_total_bytes ? 100 * used / ov.disk_total_bytes : 0).toFixed(1) + "%";
      const userTopics = topics.filter(t => !t.internal);
      body.replaceChildren(
        h("div", {class: "cards"},
          card("Server", h("span", {class: ov.status === "ready" ? "ok" : "bad"}, ov.status),
               h("div", {class: "muted"}, ov.broker ? "Kafka API up" : "no broker",
                 ov.damaged_topics ? ` · ${ov.damaged_topics} damaged topic(s)` : ""), "card-health"),
          card("Topics", String(userTopics.length), h("div", {class: "muted"}, `${ov.partitions} partitions`), "card-topics"),
          card("Jobs", String(jobs.length),
               h("div", {class: "muted"}, [...byState].map(([s, n]) => `${n} ${s}`).join(" · ") || "none"), "card-jobs"),
          card("Consumer groups", String(groups.length), h("div", {class: "muted"}, `total lag ${fmtNum(totalLag)}`),
               "card-groups"),
          card("Disk", fmtBytes(ov.log_bytes),
               h("div", {class: "muted"}, bar, ` ${fmtBytes(ov.disk_free_bytes)} free of ${fmtBytes(ov.disk_total_bytes)}`),
               "card-disk")),
        h("h2", {}, "Jobs"),
        jobs.length ? table(["Name", "State", "Records in/s", "Records out/s"], jobs.map(j => {
          const t = jobTotals(j);
          return row(h("a", {href: "#/jobs/" + encodeURIComponent(j.name)}, j.name), stateCell(j.state),
                     num(t.inRate), num(t.outRate));
        })) : h("p", {class: "muted"}, "No jobs. ", h("a", {href: "#/submit"}, "Submit one.")),
        h("h2", {}, "Consumer groups"),
        groups.length ? table(["Group", "Total lag", "Lag (last minutes)"], groups.map(g =>
          row(h("a", {href: "#/groups/" + encodeURIComponent(g.group)}, g.group), num(g.total_lag),
              sparkline(state.lagHistory.get(g.group) || [], "lag of " + g.group)))) :
          h("p", {class: "muted"}, "No consumer groups."),
        h("h2", {}, "Topics"),
        userTopics.length ? table(["Topic", "Partitions", "Records", "Size"], userTopics.map(t => {
          const parts = t.partition_details;
          return row(h("a", {href: "#/topics/" + encodeURIComponent(t.name)}, t.name), num(t.partitions),
                     num(parts.reduce((a, p) => a + p.high_watermark - p.log_start_offset, 0)),
                     num(fmtBytes(parts.reduce((a, p) => a + p.size_bytes, 0))));
        })) : h("p", {class: "muted"}, "No topics."));
    },
  };
};

pages.jobs = function () {
  const body = h("div", {}, h("p", {}, "Loading…"));
  main().replaceChildren(h("h1", {}, "Jobs"), h("p", {}, h("a", {href: "#/submit"}, "Submit a job")), body);
  return {
    async refresh() {
      const jobs = await jobDetails();
      const now = Date.now();
      body.replaceChildren(jobs.length ? table(
        ["Name", "State", "Uptime", "Records in/s", "Records out/s", "Records in", "Records out", "Restarts",
         "Last checkpoint"],
        jobs.map(j => {
          const t = jobTotals(j);
          return row(h("a", {href: "#/jobs/" + encodeURIComponent(j.name)}, j.name), stateCell(j.state),
                     j.state === "running" ? fmtDuration(now - j.start_time_ms) : "–", num(t.inRate), num(t.outRate),
                     num(j.records_in), num(j.records_out), num(j.restarts),
                     j.last_checkpoint ? fmtTime(j.last_checkpoint.completed_ms) : "none");
        }), {id: "jobs-table"}) : h("p", {class: "muted"}, "No jobs yet."));
    },
  };
};

// The plan as an SVG graph: one box per chain (columns by depth), its steps
// inside with their records/s in and out, edges labelled with the exchange.
function planGraph(plan, job) {
  const rates = job ? state.jobRates.get(job.name) : null;
  const ops = new Map(((job && job.operators) || []).map(o => [o.name, o]));
  const depth = new Map();
  for (const c of plan.chains) depth.set(c.id, c.upstream.length ? 1 + Math.max(...c.upstream.map(u => depth.get(u) || 0)) : 0);
  const colW = 300, boxW = 250, stepH = job ? 54 : 40, headH = 26, gapY = 24, padX = 20, padY = 20;
  const pos = new Map();
  const colY = new Map();
  for (const c of plan.chains) {
    const d = depth.get(c.id);
    const y = colY.get(d) || padY;
    const hgt = headH + c.steps.length * stepH + 8;
    pos.set(c.id, {x: padX + d * colW, y, h: hgt});
    colY.set(d, y + hgt + gapY);
  }
  const width = padX * 2 + (Math.max(0, ...depth.values()) * colW) + boxW;
  const height = Math.max(...colY.values(), 60) + padY;
  const svg = h("svg", {class: "plan", id: "plan-graph", width, height, viewBox: `0 0 ${width} ${height}`, role: "img",
                        "aria-label": "Execution plan of " + plan.job},
                h("defs", {}, h("marker", {id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7,
                                           markerHeight: 7, orient: "auto-start-reverse"},
                                h("path", {d: "M 0 0 L 10 5 L 0 10 z"}))));
  for (const c of plan.chains) {
    const p = pos.get(c.id);
    for (const u of c.upstream) {
      const q = pos.get(u);
      if (!q) continue;
      const x1 = q.x + boxW, y1 = q.y + q.h / 2, x2 = p.x, y2 = p.y + p.h / 2;
      svg.append(h("path", {class: "edge", d: `M ${x1} ${y1} C ${x1 + 30} ${y1}, ${x2 - 30} ${y2}, ${x2} ${y2}`,
                            "marker-end": "url(#arrow)"}),
                 h("text", {x: (x1 + x2) / 2 - 14, y: (y1 + y2) / 2 - 6}, c.input_exchange));
    }
    const g = h("g", {class: "chain-node", "data-chain": c.id},
                h("rect", {class: "chain", x: p.x, y: p.y, width: boxW, height: p.h, rx: 6}),
                h("text", {class: "title", x: p.x + 8, y: p.y + 17},
                  `chain ${c.id} · ${c.parallelism} subtask${c.parallelism === 1 ? "" : "s"}` +
                  (c.keyed ? " · keyed" : "") + (plan.partition_tasks ? " · per partition" : "")));
    c.steps.forEach((s, i) => {
      const y = p.y + headH + i * stepH;
      const op = ops.get(s.name);
      const r = rates && rates.get(s.name);
      const node = h("g", {class: "step-node", "data-step": s.name,
                           "data-rate-in": r ? r.in.toFixed(2) : "", "data-rate-out": r ? r.out.toFixed(2) : ""},
                     h("title", {}, `${s.name}: ${s.description}; state: ${s.state}`),
                     h("rect", {class: "step", x: p.x + 6, y, width: boxW - 12, height: stepH - 6, rx: 4}),
                     h("text", {class: "title", x: p.x + 14, y: y + 15}, s.name),
                     h("text", {x: p.x + 14, y: y + 29}, s.description.length > 38 ? s.description.slice(0, 37) + "…" : s.description));
      if (job) {
        const parts = [];
        parts.push(r ? `in ${fmtNum(r.in)}/s · out ${fmtNum(r.out)}/s` : "in –/s · out –/s");
        if (op && op.state_bytes) parts.push("state " + fmtBytes(op.state_bytes));
        if (op && op.errors) parts.push(op.errors + " errors");
        node.append(h("text", {class: "rate", x: p.x + 14, y: y + 43}, parts.join(" · ")));
      }
      g.append(node);
    });
    svg.append(g);
  }
  return svg;
}

async function jobAction(name, what) {
  const path = "jobs/" + encodeURIComponent(name);
  try {
    setStatus(what + "…");
    if (what === "cancel") await api("DELETE", path);
    else await api("POST", path + "/" + what, "{}");
    setStatus(`job ${name}: ${what} done`);
  } catch (e) {
    setStatus(`job ${name}: ${what} failed: ${e.message}`, true);
  }
  if (state.page && state.page.refresh) await state.page.refresh().catch(() => {});
}

pages.job = function (name) {
  const head = h("div", {});
  const graph = h("div", {id: "job-graph"});
  const details = h("div", {});
  let plan = null;
  main().replaceChildren(h("h1", {}, "Job ", name), head,
    h("div", {class: "actions"},
      h("button", {type: "button", id: "job-stop", onclick: () => jobAction(name, "stop")}, "Stop with savepoint"),
      h("button", {type: "button", id: "job-restart", class: "secondary", onclick: () => jobAction(name, "restart")}, "Restart"),
      h("button", {type: "button", id: "job-cancel", class: "danger", onclick: () => jobAction(name, "cancel")}, "Cancel")),
    h("h2", {}, "Plan"), graph, details);
  return {
    async refresh() {
      let job;
      try {
        job = await api("GET", "jobs/" + encodeURIComponent(name));
      } catch (e) {
        if (e.status === 404) { head.replaceChildren(h("p", {class: "bad"}, "No job named " + name)); return; }
        throw e;
      }
      sampleJob(job, Date.now());
      if (!plan) plan = await api("GET", "jobs/" + encodeURIComponent(name) + "/plan");
      const now = Date.now();
      const t = jobTotals(job);
      const dlq = (job.operators || []).reduce((a, o) => a + o.dead_lettered, 0);
      const errors = (job.operators || []).reduce((a, o) => a + o.errors, 0);
      head.replaceChildren(...[h("div", {class: "cards"},
        card("State", stateCell(job.state), h("div", {class: "muted"}, job.principal || ""), "job-state"),
        card("Uptime", job.state === "running" ? fmtDuration(now - job.start_time_ms) : "–",
             h("div", {class: "muted"}, "started ", fmtTime(job.start_time_ms))),
        card("Records in/s", fmtNum(t.inRate), h("div", {class: "muted"}, fmtNum(job.records_in) + " total")),
        card("Records out/s", fmtNum(t.outRate), h("div", {class: "muted"}, fmtNum(job.records_out) + " total")),
        card("Watermark", job.watermark === null ? "none" : fmtTime(job.watermark),
             h("div", {class: "muted"}, job.watermark === null ? "" : "lag " + fmtDuration(now - job.watermark))),
        card("Back-pressure", (job.backpressure_seconds || 0).toFixed(1) + " s",
             h("div", {class: "muted"}, "sinks waited " + (job.sink_backpressure_seconds || 0).toFixed(1) + " s")),
        card("Errors", String(errors), h("div", {class: "muted"}, dlq + " dead-lettered"))),
        job.error ? h("p", {class: "bad", id: "job-error"}, "Last error: " + job.error) : null,
        job.savepoint ? h("p", {}, "Savepoint: ", h("code", {}, job.savepoint)) : null].filter(Boolean));
      graph.replaceChildren(planGraph(plan, job));
      const cps = state.checkpoints.get(name) || [];
      details.replaceChildren(
        h("h2", {}, "Operators"),
        table(["Operator", "Kind", "Records in", "Records out", "In/s", "Out/s", "Errors", "Dead-lettered", "Late",
               "State bytes"], (job.operators || []).map(o => {
          const r = (state.jobRates.get(name) || new Map()).get(o.name);
          return row(o.name, o.kind, num(o.records_in), num(o.records_out), num(r ? r.in : null), num(r ? r.out : null),
                     num(o.errors), num(o.dead_lettered), num(o.late), num(fmtBytes(o.state_bytes)));
        })),
        h("h2", {}, "Sources"),
        table(["Source", "Topic", "Partition", "Next offset", "End offset", "Lag"], (job.sources || []).map(s =>
          row(s.source, s.topic, num(s.partition), num(s.next_offset), num(s.end_offset), num(s.lag)))),
        h("h2", {}, "Checkpoints"),
        h("p", {}, `${job.checkpoints_completed} completed, `,
          h("span", {class: job.checkpoint_failures ? "bad" : ""}, `${job.checkpoint_failures} failed`),
          " (history: the checkpoints this page has seen)"),
        cps.length ? table(["Id", "Completed", "Duration", "Size"], cps.map(c =>
          row(num(c.id), fmtTime(c.completed_ms), (c.duration_seconds * 1000).toFixed(0) + " ms", num(fmtBytes(c.bytes)))))
          : h("p", {class: "muted"}, "No checkpoint yet."),
        h("h2", {}, "Explain"), h("pre", {}, plan.text));
    },
  };
};

const EXAMPLE_JOB = `job: my-job
sources:
  input:
    topic: input
    format: json
operators:
  big:
    input: input
    filter: value.amount > 10
sinks:
  out:
    input: big
    topic: big-amounts
    format: json
`;

pages.submit = function () {
  const area = h("textarea", {id: "job-yaml", spellcheck: "false", "aria-label": "Job YAML",
                              "aria-describedby": "problems-heading"});
  area.value = sessionStorage.getItem("sluice-draft") || EXAMPLE_JOB;
  const gutter = h("ol", {class: "gutter", "aria-hidden": "true"});
  const problemsBox = h("div", {id: "problems", "aria-live": "polite"});
  const preview = h("div", {id: "submit-plan"});
  const submit = h("button", {type: "submit", id: "job-submit"}, "Submit job");
  const file = h("input", {type: "file", id: "job-file", accept: ".yaml,.yml,text/yaml"});
  let timer = null, seq = 0, badLines = new Set();

  function drawGutter() {
    const n = area.value.split("\n").length;
    const items = [];
    for (let i = 1; i <= n; i++) items.push(h("li", {class: badLines.has(i) ? "bad" : null, "data-line": i}, i));
    gutter.replaceChildren(...items);
    gutter.scrollTop = area.scrollTop;
  }
  async function validate() {
    const mine = ++seq;
    sessionStorage.setItem("sluice-draft", area.value);
    let r;
    try {
      r = await api("POST", "validate", area.value, "application/yaml");
    } catch (e) {
      problemsBox.replaceChildren(h("p", {class: "bad"}, "Cannot validate: " + e.message));
      return;
    }
    if (mine !== seq) return;  // a newer edit is being checked
    badLines = new Set(r.problems.map(p => p.line));
    drawGutter();
    if (r.valid) {
      problemsBox.replaceChildren(h("p", {class: "ok", id: "valid"}, "Valid."));
      preview.replaceChildren(h("h2", {}, "Plan"), planGraph(r.plan, null));
    } else {
      problemsBox.replaceChildren(h("h2", {id: "problems-heading"}, `${r.problems.length} problem(s)`),
        h("ul", {class: "problems"}, r.problems.map(p =>
          h("li", {class: "problem", "data-line": p.line, "data-column": p.column},
            h("a", {href: "#", onclick: ev => { ev.preventDefault(); goTo(p.line, p.column); }},
              `line ${p.line}, column ${p.column}`), `: ${p.path ? p.path + ": " : ""}${p.message}`))));
      preview.replaceChildren();
    }
  }
  function goTo(line, column) {
    const lines = area.value.split("\n");
    let at = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) at += lines[i].length + 1;
    at += Math.max(0, column - 1);
    area.focus();
    area.setSelectionRange(at, at);
  }
  area.addEventListener("input", () => {
    drawGutter();
    clearTimeout(timer);
    timer = setTimeout(validate, 300);
  });
  area.addEventListener("scroll", () => { gutter.scrollTop = area.scrollTop; });
  file.addEventListener("change", async () => {
    if (!file.files.length) return;
    area.value = await file.files[0].text();
    drawGutter();
    validate();
  });
  const form = h("form", {id: "submit-form", onsubmit: async ev => {
    ev.preventDefault();
    submit.disabled = true;
    try {
      const r = await api("POST", "jobs", area.value, "application/yaml");
      setStatus(`job ${r.name} submitted`);
      location.hash = "#/jobs/" + encodeURIComponent(r.name);
    } catch (e) {
      if (e.body && e.body.problems) await validate();
      setStatus("Submit failed: " + e.message, true);
    } finally {
      submit.disabled = false;
    }
  }},
    h("p", {}, h("label", {for: "job-file"}, "Upload a YAML file"), file),
    h("label", {for: "job-yaml"}, "Job YAML (checked as you type, like sluice validate)"),
    h("div", {class: "editor"}, gutter, area),
    problemsBox,
    h("p", {}, submit));
  main().replaceChildren(h("h1", {}, "Submit a job"), form, preview);
  drawGutter();
  validate();
  return {};
};

pages.topics = function () {
  const body = h("div", {}, h("p", {}, "Loading…"));
  const name = h("input", {id: "topic-name", required: true, pattern: "[a-zA-Z0-9._\\-]+", size: 24});
  const parts = h("input", {id: "topic-partitions", type: "number", min: 1, value: 1, size: 4});
  const retention = h("input", {id: "topic-retention", placeholder: "default", size: 12});
  const cleanup = h("select", {id: "topic-cleanup"}, h("option", {value: ""}, "default"),
                    h("option", {value: "delete"}, "delete"), h("option", {value: "compact"}, "compact"));
  const form = h("form", {class: "inline", id: "topic-create", onsubmit: async ev => {
    ev.preventDefault();
    const config = {};
    if (retention.value) config["retention.ms"] = retention.value;
    if (cleanup.value) config["cleanup.policy"] = cleanup.value;
    try {
      await api("POST", "topics", {name: name.value, partitions: Number(parts.value), config});
      setStatus(`topic ${name.value} created`);
      name.value = "";
      await view.refresh();
    } catch (e) {
      setStatus("Create failed: " + e.message, true);
    }
  }},
    h("label", {for: "topic-name"}, "Name"), name, h("label", {for: "topic-partitions"}, "Partitions"), parts,
    h("label", {for: "topic-retention"}, "retention.ms"), retention, h("label", {for: "topic-cleanup"}, "cleanup.policy"),
    cleanup, h("button", {type: "submit", id: "topic-create-button"}, "Create topic"));
  main().replaceChildren(h("h1", {}, "Topics"), h("h2", {}, "Create a topic"), form, h("h2", {}, "All topics"), body);
  const view = {
    async refresh() {
      const topics = await api("GET", "topics");
      body.replaceChildren(table(["Topic", "Partitions", "Records", "Size", "Internal"], topics.map(t => {
        const p = t.partition_details;
        return row(h("a", {href: "#/topics/" + encodeURIComponent(t.name)}, t.name), num(t.partitions),
                   num(p.reduce((a, x) => a + x.high_watermark - x.log_start_offset, 0)),
                   num(fmtBytes(p.reduce((a, x) => a + x.size_bytes, 0))), t.internal ? "yes" : "");
      }), {id: "topics-table"}));
    },
  };
  return view;
};

function prettyValue(v, isBase64) {
  if (v === null || v === undefined) return h("span", {class: "muted"}, "null");
  if (isBase64) return h("span", {title: "not UTF-8: shown as base64"}, "base64:" + v);
  try {
    const parsed = JSON.parse(v);
    if (typeof parsed === "object" && parsed !== null) return h("pre", {}, JSON.stringify(parsed, null, 2));
  } catch (e) { /* not JSON: shown as text */ }
  return v;
}

pages.topic = function (name) {
  const info = h("div", {});
  const partSel = h("select", {id: "browse-partition"});
  const mode = h("select", {id: "browse-mode"}, h("option", {value: "start"}, "the start"),
                 h("option", {value: "offset"}, "offset"), h("option", {value: "timestamp"}, "time"));
  const from = h("input", {id: "browse-from", size: 22, placeholder: "offset or 2026-01-01T00:00"});
  const limit = h("input", {id: "browse-limit", type: "number", min: 1, max: 500, value: 20, size: 4});
  const records = h("div", {id: "records"});
  const pager = h("div", {class: "actions"});
  const history = [];
  let loaded = false;
  const del = h("button", {type: "button", class: "danger", id: "topic-delete", onclick: async () => {
    if (del.dataset.armed !== "1") {
      del.dataset.armed = "1";
      del.textContent = "Really delete " + name + "?";
      return;
    }
    try {
      await api("DELETE", "topics/" + encodeURIComponent(name));
      setStatus(`topic ${name} deleted`);
      location.hash = "#/topics";
    } catch (e) {
      setStatus("Delete failed: " + e.message, true);
    }
  }}, "Delete topic");

  async function load(query) {
    const q = new URLSearchParams(query);
    q.set("limit", limit.value || "20");
    const r = await api("GET", `topics/${encodeURIComponent(name)}/partitions/${partSel.value}/records?${q}`);
    records.replaceChildren(
      h("p", {class: "muted"}, `partition ${r.partition}: offsets ${r.log_start_offset}–${r.high_watermark}, showing from ${r.from}`),
      r.records.length ? table(["Offset", "Timestamp", "Key", "Value", "Headers"], r.records.map(x =>
        row(num(x.offset), fmtTime(x.timestamp), prettyValue(x.key, x.key_base64), prettyValue(x.value, x.value_base64),
            x.headers.length ? h("ul", {}, x.headers.map(hd => h("li", {}, hd.key + ": ", prettyValue(hd.value, hd.value_base64)))) : "")),
        {id: "records-table"}) : h("p", {id: "no-records"}, "No records here."));
    const prev = h("button", {type: "button", class: "secondary", id: "page-prev", disabled: history.length === 0 || null,
                              onclick: () => { history.pop(); load({offset: history.length ? history[history.length - 1] : r.log_start_offset}); }},
                   "Previous page");
    const next = h("button", {type: "button", class: "secondary", id: "page-next",
                              disabled: r.next_offset >= r.high_watermark || null,
                              onclick: () => { history.push(r.next_offset); load({offset: r.next_offset}); }}, "Next page");
    pager.replaceChildren(prev, next);
  }
  const browse = h("form", {class: "inline", id: "browse-form", onsubmit: async ev => {
    ev.preventDefault();
    history.length = 0;
    const query = {};
    if (mode.value === "offset") query.offset = from.value || "0";
    if (mode.value === "timestamp") {
      const t = Date.parse(from.value);
      if (isNaN(t)) { setStatus("Not a time: " + from.value, true); return; }
      query.timestamp = String(t);
    }
    try { await load(query); } catch (e) { setStatus("Browse failed: " + e.message, true); }
  }},
    h("label", {for: "browse-partition"}, "Partition"), partSel, h("label", {for: "browse-mode"}, "from"), mode,
    h("label", {for: "browse-from"}, "value"), from, h("label", {for: "browse-limit"}, "per page"), limit,
    h("button", {type: "submit", id: "browse-button"}, "Show records"));
  main().replaceChildren(h("h1", {}, "Topic ", name), info, h("div", {class: "actions"}, del),
                         h("h2", {}, "Records"), browse, records, pager);
  return {
    async refresh() {
      let t;
      try {
        t = await api("GET", "topics/" + encodeURIComponent(name));
      } catch (e) {
        if (e.status === 404) { info.replaceChildren(h("p", {class: "bad"}, "No topic named " + name)); return; }
        throw e;
      }
      if (!loaded) {
        partSel.replaceChildren(...t.partition_details.map(p => h("option", {value: p.partition}, String(p.partition))));
        loaded = true;
      }
      const overrides = new Set(Object.keys(t.overrides));
      info.replaceChildren(
        h("p", {}, `${t.partitions} partition(s), ${fmtBytes(t.size_bytes)}; retention.ms ${t.config["retention.ms"]}, ` +
                   `cleanup.policy ${t.config["cleanup.policy"]}`),
        table(["Partition", "Start offset", "End offset", "Records", "Size"], t.partition_details.map(p =>
          row(num(p.partition), num(p.log_start_offset), num(p.high_watermark), num(p.high_watermark - p.log_start_offset),
              num(fmtBytes(p.size_bytes)))), {id: "partitions-table"}),
        h("details", {}, h("summary", {}, "Configuration (overrides in bold)"),
          table(["Key", "Value"], Object.entries(t.config).map(([k, v]) =>
            row(overrides.has(k) ? h("strong", {}, k) : k, v)))));
    },
  };
};

pages.groups = function () {
  const body = h("div", {}, h("p", {}, "Loading…"));
  main().replaceChildren(h("h1", {}, "Consumer groups"), body);
  return {
    async refresh() {
      const groups = await api("GET", "groups");
      sampleGroups(groups, Date.now());
      body.replaceChildren(groups.length ? table(["Group", "State", "Members", "Partitions", "Total lag", "Lag (last minutes)"], groups.map(g =>
        h("tr", {"data-group": g.group},
          h("td", {}, h("a", {href: "#/groups/" + encodeURIComponent(g.group)}, g.group)), h("td", {}, stateCell(g.state)),
          num(g.members.length, {class: "num member-count"}), num(g.offsets.length),
          num(g.total_lag, {class: "num total-lag"}),
          h("td", {}, sparkline(state.lagHistory.get(g.group) || [], "lag of " + g.group)))), {id: "groups-table"})
        : h("p", {class: "muted"}, "No consumer groups yet."));
    },
  };
};

pages.group = function (name) {
  const body = h("div", {}, h("p", {}, "Loading…"));
  main().replaceChildren(h("h1", {}, "Consumer group ", name), body);
  return {
    async refresh() {
      const groups = await api("GET", "groups");
      sampleGroups(groups, Date.now());
      const g = groups.find(x => x.group === name);
      if (!g) { body.replaceChildren(h("p", {class: "bad"}, "No group named " + name)); return; }
      const assigned = m => m.assignment.map(a => `${a.topic} [${a.partitions.join(", ")}]`).join("; ") || "—";
      body.replaceChildren(
        h("p", {}, "State ", stateCell(g.state), ", generation ", fmtNum(g.generation),
          g.protocol ? ", assignor " + g.protocol : ""),
        h("h2", {}, "Members"),
        g.members.length ? table(["Member", "Client id", "Host", "Assigned partitions"], g.members.map(m =>
          h("tr", {"data-member": m.member_id},
            h("td", {}, m.member_id, m.member_id === g.leader ? h("span", {class: "muted"}, " (leader)") : ""),
            h("td", {}, m.client_id), h("td", {}, m.client_host), h("td", {class: "assignment"}, assigned(m)))),
          {id: "members-table"})
          : h("p", {class: "muted", id: "no-members"}, "No members: nobody consumes in this group now."),
        h("h2", {}, "Committed offsets"),
        h("p", {}, "Total lag ", h("strong", {id: "group-total-lag"}, fmtNum(g.total_lag)), " ",
          sparkline(state.lagHistory.get(name) || [], "total lag")),
        table(["Topic", "Partition", "Committed offset", "Lag", "Lag (last minutes)"], g.offsets.map(o =>
          row(h("a", {href: "#/topics/" + encodeURIComponent(o.topic)}, o.topic), num(o.partition), num(o.offset),
              num(o.lag), sparkline(state.lagHistory.get(`${name}/${o.topic}/${o.partition}`) || [], "lag")))));
    },
  };
};

function loginPage() {
  const input = h("input", {id: "token", type: "password", autocomplete: "off", required: true, size: 50});
  const msg = h("p", {id: "login-message", role: "alert"});
  const form = h("form", {class: "login", id: "login", onsubmit: async ev => {
    ev.preventDefault();
    state.token = input.value.trim();
    try {
      await api("GET", "overview");
    } catch (e) {
      state.token = "";
      msg.textContent = e.status === 401 ? "That token is not known to this server." : "Cannot reach the server: " + e.message;
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, state.token);
    route();
  }},
    h("p", {}, "Paste an API token: the admin token is in ", h("code", {}, "<data-dir>/http-token"),
      ". It is kept in this tab only (sessionStorage)."),
    h("label", {for: "token"}, "API token"), h("div", {}, input), msg,
    h("p", {}, h("button", {type: "submit", id: "login-button"}, "Sign in")));
  main().replaceChildren(h("h1", {}, "Sign in"), form);
  input.focus();
  return {};
}

// ---------- routing and polling ----------

function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  let page = parts[0] || "overview";
  document.querySelectorAll("nav a").forEach(a => {
    if (a.dataset.page === page) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  });
  if (!state.token) { state.page = loginPage(); return; }
  document.getElementById("logout").hidden = false;
  if (page === "jobs" && parts[1]) state.page = pages.job(parts[1]);
  else if (page === "topics" && parts[1]) state.page = pages.topic(parts[1]);
  else if (page === "groups" && parts[1]) state.page = pages.group(parts[1]);
  else state.page = (pages[page] || pages.overview)();
  document.title = "Sluice · " + (parts[1] || page);
  tick();
}

async function tick() {
  const page = state.page;
  if (!page || !page.refresh || page.busy || !state.token) return;
  page.busy = true;
  try {
    await page.refresh();
    if (page === state.page) setStatus("updated " + new Date().toLocaleTimeString());
  } catch (e) {
    if (state.token) setStatus("Cannot refresh: " + e.message, true);
  } finally {
    page.busy = false;
  }
}

document.getElementById("logout").addEventListener("click", forgetToken);
window.addEventListener("hashchange", route);
setInterval(tick, POLL_MS);
route();
