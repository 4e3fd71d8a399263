// Opens each page in Chromium (puppeteer-core, the apt chromium) and runs axe-core on it: the WCAG
// 2.0/2.1 A and AA rules plus td-has-header (off by default: a data table with no header cells at all
// passes the default rules). Prints one JSON array: per page its violations, the rules that ran, and
// what the page did (scripts, images, window.__pwned set by a hostile text that ran).
//   node browser_check.js NODE_MODULES CHROMIUM PAGE.html...
const path = require("path");
const fs = require("fs");

const [modules, chromium, ...files] = process.argv.slice(2);
const puppeteer = require(path.join(modules, "puppeteer-core"));
const axeSource = fs.readFileSync(path.join(modules, "axe-core", "axe.min.js"), "utf8");
const OPTIONS = {
  runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
  rules: { "td-has-header": { enabled: true } },
};

(async () => {
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  const results = [];
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    for (const file of files) {
      await page.goto("file://" + file, { waitUntil: "load" });
      const did = await page.evaluate(() => ({
        pwned: window.__pwned === undefined ? null : window.__pwned,
        scripts: document.scripts.length,
        images: document.images.length,
        text: document.body.innerText,
      }));
      await page.evaluate(axeSource);
      const r = await page.evaluate((options) => axe.run(document, options), OPTIONS);
      results.push({
        file,
        ...did,
        violations: r.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
        })),
        ran: [...r.passes, ...r.violations, ...r.incomplete, ...r.inapplicable].map((v) => v.id),
        passed: r.passes.map((v) => v.id),
        incomplete: r.incomplete.map((v) => ({
          id: v.id, nodes: v.nodes.map((n) => n.target.join(" ") + ": " + (n.any[0] || {}).message),
        })),
      });
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(results));
})().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
