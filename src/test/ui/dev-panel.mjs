// In dev mode: injects a fault into the simulator from the operator page's simulator panel, as a developer would
// (the form, then Inject), sends requests until the breaker opens, and waits for the page to show it open. Prints one
// JSON line per check: {"check","ok","detail"}; exits 1 when one fails. Env: PAGE_URL, API_URL, CHROMIUM.
import { launchChromium } from "./chromium.mjs";

const browser = await launchChromium();
let failed = 0;
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(process.env.PAGE_URL);
  await page.selectOption("#fault select[name=type]", "status");
  await page.fill("#fault input[name=status]", "500");
  await page.fill("#fault input[name=times]", "-1");
  await page.click("#fault button[type=submit]");
  await page.waitForFunction(() => document.getElementById("fault-result").textContent === "injected");
  const statuses = [];
  for (let i = 0; i < 8 && !statuses.includes(503); i++) {
    const response = await fetch(process.env.API_URL + "/api/chat", { method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "dev panel " + i }] }) });
    statuses.push(response.status);
  }
  await page.waitForSelector("[data-test=breaker-state].open", { timeout: 10000 });
  await page.click("#clear-faults");
  await page.waitForFunction(() => document.getElementById("fault-result").textContent === "cleared");
  console.log(JSON.stringify({ check: "a fault injected from the page opens the breaker", ok: true,
    detail: "answers " + statuses.join(",") }));
} catch (error) {
  failed++;
  console.log(JSON.stringify({ check: "a fault injected from the page opens the breaker", ok: false,
    detail: String(error?.message ?? error).slice(0, 800) }));
}
await browser.close();
process.exit(failed === 0 ? 0 : 1);
