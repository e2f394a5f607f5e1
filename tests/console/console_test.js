// Drives the web console in Debian's headless Chromium through the DevTools
// protocol (puppeteer-core, which downloads no browser), against a real
// `sluice serve` started by console_browser_test.cc.
//
// node console_test.js NODE_MODULES HTTP_URL TOKEN BOOTSTRAP SCREENSHOT_DIR PY_DIR
//
// Fails (exit 1) on any failed step, any console error or warning-level
// message from the page, any failed request or any HTTP answer >= 400.
"use strict";

const path = require("path");
const {spawn, execFileSync} = require("child_process");
const [nodeModules, url, token, bootstrap, shots, pyDir] = process.argv.slice(2);
const puppeteer = require(path.join(nodeModules, "puppeteer-core"));

const TIMEOUT = 60000;
const problems = [];
const children = [];

function log(msg) { process.stdout.write(`[console-test ${new Date().toISOString()}] ${msg}\n`); }

function python(args, opts) {
  return execFileSync("/usr/bin/python3", [path.join(pyDir, "console_kafka.py"), bootstrap, ...args],
                      Object.assign({timeout: 60000, encoding: "utf8"}, opts || {}));
}

async function main() {
  const browser = await puppeteer.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,  // puppeteer 24: the new headless mode
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run", "--disable-extensions"],
    protocolTimeout: 120000,
  });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(TIMEOUT);
    await page.setViewport({width: 1280, height: 900});
    page.on("console", m => {
      if (m.type() === "error" || m.type() === "warn") problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", e => problems.push("page error: " + e.message));
    page.on("requestfailed", r => problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure() && r.failure().errorText}`));
    page.on("response", r => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`); });

    // First paint and size.
    const t0 = Date.now();
    const first = await page.goto(url + "/console", {waitUntil: "load"});
    if (!first.ok()) throw new Error("console did not load: " + first.status());
    log(`loaded in ${Date.now() - t0} ms`);
    const perf = await page.evaluate(() => {
      const fcp = performance.getEntriesByName("first-contentful-paint")[0];
      const nav = performance.getEntriesByType("navigation")[0];
      const bytes = [nav, ...performance.getEntriesByType("resource")].reduce((a, e) => a + (e.transferSize || 0), 0);
      return {fcp: fcp ? Math.round(fcp.startTime) : -1, dcl: Math.round(nav.domContentLoadedEventEnd), bytes};
    });
    log(`DOMContentLoaded after ${perf.dcl} ms (first contentful paint ${perf.fcp} ms, -1: not reported), ` +
        `${perf.bytes} bytes transferred`);
    if (perf.bytes > 500 * 1024) throw new Error("the console transferred " + perf.bytes + " bytes (limit 500 KB)");
    await page.waitForSelector("#token");
    await page.screenshot({path: path.join(shots, "login.png")});

    // A wrong token is refused with a message (the 401 it causes is expected, not a problem).
    const before = problems.length;
    await page.type("#token", "not-a-token");
    await page.click("#login-button");
    await page.waitForFunction(() => document.querySelector("#login-message").textContent.includes("not known"));
    const unexpected = problems.splice(before).filter(p => !p.includes("401"));
    problems.push(...unexpected);
    await page.$eval("#token", e => { e.value = ""; });

    // Sign in with the admin token.
    await page.type("#token", token);
    await page.click("#login-button");
    await page.waitForSelector("#card-health .ok");
    log("signed in; overview shows the server ready");

    // Topics: create one through the page.
    await page.goto(url + "/console/#/topics");
    await page.waitForSelector("#topic-create");
    await page.type("#topic-name", "console-input");
    await page.$eval("#topic-partitions", e => { e.value = "2"; });
    await page.click("#topic-create-button");
    await page.waitForFunction(() => [...document.querySelectorAll("#topics-table a")].some(a => a.textContent === "console-input"));
    log("topic created through the page");

    // Records to browse (partition 0), with a header and a JSON value.
    python(["produce", "console-input", "0", "30"]);
    python(["produce", "console-input", "1", "30"]);  // for the group (the job page's producer writes partition 0)

    // Submit: a broken job shows its problem at the right line, then a good one runs.
    await page.goto(url + "/console/#/submit");
    await page.waitForSelector("#job-yaml");
    const broken = [
      "job: console-job",
      "sources:",
      "  input:",
      "    topic: console-input",
      "    format: json",
      "operators:",
      "  big:",
      "    input: input",
      "    filter: value.amount >",
      "sinks:",
      "  out:",
      "    input: big",
      "    topic: console-output",
      "    format: json",
      ""].join("\n");
    await page.$eval("#job-yaml", (e, v) => { e.value = v; e.dispatchEvent(new Event("input")); }, broken);
    await page.waitForSelector("#problems li.problem[data-line='9']");
    await page.waitForSelector(".gutter li.bad[data-line='9']");
    const problemText = await page.$eval("#problems li.problem", e => e.textContent);
    log("validation problem shown: " + problemText);
    await page.screenshot({path: path.join(shots, "submit-invalid.png")});
    const good = broken.replace("value.amount >", "value.amount > 10");
    // Typed (not pasted): the page validates as the user types.
    await page.$eval("#job-yaml", e => { e.value = ""; e.dispatchEvent(new Event("input")); });
    await page.click("#job-yaml");
    await page.$eval("#job-yaml", (e, v) => { e.value = v.slice(0, -20); e.dispatchEvent(new Event("input")); }, good);
    await page.type("#job-yaml", good.slice(-20));
    await page.waitForSelector("#valid");
    await page.waitForSelector("#submit-plan svg .step-node");
    await page.screenshot({path: path.join(shots, "submit.png")});
    await page.click("#job-submit");
    await page.waitForFunction(() => location.hash === "#/jobs/console-job");
    log("job submitted through the page");

    // Job page: the graph with non-zero rates while records flow in.
    const producer = spawn("/usr/bin/python3", [path.join(pyDir, "console_kafka.py"), bootstrap, "produce-slowly",
                                                "console-input", "120"], {stdio: "ignore"});
    children.push(producer);
    await page.waitForSelector("#plan-graph .step-node");
    await page.waitForFunction(() => {
      const rate = n => Number((document.querySelector(`#plan-graph .step-node[data-step='${n}']`) || {dataset: {}})
        .dataset.rateOut || 0);
      return rate("input") > 0 && rate("big") > 0;
    }, {timeout: 90000});
    log("job graph shows non-zero rates");
    await page.screenshot({path: path.join(shots, "job.png"), fullPage: true});

    await page.goto(url + "/console/#/jobs");
    await page.waitForFunction(() => [...document.querySelectorAll("#jobs-table a")].some(a => a.textContent === "console-job"));
    await page.screenshot({path: path.join(shots, "jobs.png")});

    // Topic page: browse records, page forward.
    await page.goto(url + "/console/#/topics/console-input");
    await page.waitForSelector("#partitions-table");
    await page.select("#browse-partition", "0");
    await page.$eval("#browse-limit", e => { e.value = "10"; });
    await page.click("#browse-button");
    await page.waitForSelector("#records-table");
    const firstPage = await page.$$eval("#records-table tbody tr td:first-child", tds => tds.map(t => t.textContent));
    if (firstPage.length !== 10 || firstPage[0] !== "0") throw new Error("first page: " + firstPage.join(","));
    const shown = await page.$eval("#records-table tbody tr", tr => tr.textContent);
    if (!shown.includes("\"amount\"") || !shown.includes("trace")) throw new Error("record row lacks value or header: " + shown);
    await page.click("#page-next");
    await page.waitForFunction(() => document.querySelector("#records-table tbody tr td").textContent === "10");
    log("records browsed, page 2 starts at offset 10");
    await page.screenshot({path: path.join(shots, "topic.png"), fullPage: true});

    // Groups: a group's lag changes when it commits.
    python(["commit", "console-input", "console-group", "1", "5"]);
    await page.goto(url + "/console/#/groups");
    const lagOf = () => page.$eval("tr[data-group='console-group'] .total-lag", e => e.textContent);
    await page.waitForSelector("tr[data-group='console-group'] .total-lag");
    await page.waitForFunction(() => {
      const e = document.querySelector("tr[data-group='console-group'] .total-lag");
      return e && e.textContent === "25";
    });
    log("group lag 25");
    // The server samples each group's lag for the sparklines.
    const groupsJson = await page.evaluate(async t => (await fetch("/api/v1/groups", {headers: {Authorization: "Bearer " + t}})).json(), token);
    const g = groupsJson.find(x => x.group === "console-group");
    if (!g || !Array.isArray(g.lag_history)) throw new Error("no lag_history: " + JSON.stringify(groupsJson));
    python(["commit", "console-input", "console-group", "1", "28"]);
    await page.waitForFunction(() => document.querySelector("tr[data-group='console-group'] .total-lag").textContent === "2");
    log("group lag changed to " + await lagOf());
    await page.screenshot({path: path.join(shots, "groups.png")});
    await page.goto(url + "/console/#/groups/console-group");
    await page.waitForSelector("#group-total-lag");
    await page.waitForSelector("#no-members");
    // A live member of another group: the group page shows it with its assignment.
    const member = spawn("/usr/bin/python3", [path.join(pyDir, "console_kafka.py"), bootstrap, "member",
                                              "console-input", "console-live", "120"], {stdio: "ignore"});
    children.push(member);
    await page.goto(url + "/console/#/groups/console-live");
    await page.waitForFunction(() => {
      const cells = [...document.querySelectorAll("#members-table td.assignment")].map(e => e.textContent);
      return cells.length === 1 && cells[0] === "console-input [0, 1]";
    }, {timeout: 90000});
    log("group page shows the live member and its assignment");
    await page.screenshot({path: path.join(shots, "group.png")});

    await page.goto(url + "/console/#/overview");
    await page.waitForFunction(() => document.querySelector("#card-jobs .big") &&
                               document.querySelector("#card-jobs .big").textContent !== "0");
    await page.screenshot({path: path.join(shots, "overview.png"), fullPage: true});

    // Keyboard: after a reload (the token survives in sessionStorage) the first Tab reaches
    // the skip link, the next ones the navigation; Enter on a link routes.
    await page.reload({waitUntil: "load"});
    await page.waitForSelector("#card-health .ok");
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement.className);
    if (focused !== "skip") throw new Error("first Tab focused " + focused);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => location.hash === "#/jobs");
    await page.waitForSelector("#jobs-table");

    // Stop the job from its page.
    await page.goto(url + "/console/#/jobs/console-job");
    await page.waitForSelector("#job-stop");
    await page.click("#job-stop");
    await page.waitForSelector("#job-state .state-stopped", {timeout: 90000});
    log("job stopped from the page");
    page.removeAllListeners("requestfailed");
    page.removeAllListeners("response");
    page.removeAllListeners("console");
  } finally {
    for (const c of children) c.kill("SIGKILL");
    await browser.close();
  }
  if (problems.length) throw new Error("the page had problems:\n" + problems.join("\n"));
}

main().then(() => { log("all checks passed"); process.exit(0); },
            e => { log("FAILED: " + (e && e.stack || e)); for (const p of problems) log(p);
                   for (const c of children) c.kill("SIGKILL"); process.exit(1); });
