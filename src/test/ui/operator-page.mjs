// Drives the operator page in headless Chromium (the system's, through playwright-core) against a packaged gateway on
// the simulator, and prints one JSON line per check: {"check","ok","detail"}. Exits 1 when a check fails.
// Env: PAGE_URL (the page on the management port), API_URL, SIMULATOR_URL, CLIENT_KEYS (JSON: name -> key),
// SECRETS (JSON array of strings the page must never show), SCREENSHOT (where to write it), CHROMIUM.
import { launchChromium } from "./chromium.mjs";

const pageUrl = process.env.PAGE_URL;
const apiUrl = process.env.API_URL;
const simulatorUrl = process.env.SIMULATOR_URL;
const clientKeys = JSON.parse(process.env.CLIENT_KEYS);
const secrets = JSON.parse(process.env.SECRETS);
const prompt = "browser-test-private-prompt-51c9";

const browser = await launchChromium();

let failed = 0;
async function check(name, run) {
  try {
    const detail = await run();
    console.log(JSON.stringify({ check: name, ok: true, detail: detail ?? "" }));
  } catch (error) {
    failed++;
    console.log(JSON.stringify({ check: name, ok: false, detail: String(error?.message ?? error).slice(0, 800) }));
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function chat(key, content) {
  const response = await fetch(apiUrl + "/api/chat", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: "Bearer " + key },
    body: JSON.stringify({ messages: [{ role: "user", content }] }),
  });
  return { status: response.status, body: await response.json() };
}

/** The text of the key table's row for {@code name}: name, requests, failed, tokens, spend. */
async function keyRow(page, name) {
  return page.locator("table[data-test=keys] tr", { has: page.locator("th", { hasText: name }) }).innerText();
}

const live = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();

await check("the page loads on the management port", async () => {
  const response = await live.goto(pageUrl);
  assert(response.status() === 200, "status " + response.status());
  assert(await live.locator("h1").innerText() === "Mistral Gateway", "heading");
  return await live.locator("[data-test=breaker-state]").innerText();
});

await check("after traffic with two keys, both names and their spend appear without a reload", async () => {
  for (const [name, key] of Object.entries(clientKeys)) {
    const answer = await chat(key, prompt + " from " + name);
    assert(answer.status === 200, name + ": " + answer.status);
  }
  for (const name of Object.keys(clientKeys)) {
    await live.waitForFunction(([row]) => {
      const cells = [...document.querySelectorAll("table[data-test=keys] tr")]
        .find(tr => tr.querySelector("th")?.textContent === row)?.querySelectorAll("td");
      return cells && Number(cells[0].textContent) >= 1 && Number(cells[3].textContent) > 0;
    }, [name], { timeout: 10000 });
  }
  return (await Promise.all(Object.keys(clientKeys).map(name => keyRow(live, name)))).join(" | ");
});

await check("after five injected 500s the breaker shows open without a reload", async () => {
  const injected = await fetch(simulatorUrl + "/_simulator/faults", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ type: "status", status: 500, times: 5, endpoint: "chat" }),
  });
  assert(injected.ok, "inject: " + injected.status);
  const [, key] = Object.entries(clientKeys)[0];
  const statuses = [];
  for (let i = 0; i < 5 && !statuses.includes(503); i++) {
    statuses.push((await chat(key, "breaker " + i)).status);
  }
  await live.waitForSelector("[data-test=breaker-state].open", { timeout: 10000 });
  assert(await live.getByText("Lets a trial call through in").count() === 1, "when it may close");
  await live.waitForFunction(() => document.querySelectorAll("table[data-test=failures] tbody tr td").length > 1);
  return "answers " + statuses.join(",") + "; failures listed: "
    + await live.locator("table[data-test=failures] tbody tr").count();
});

await check("the page shows no key and no prompt text", async () => {
  const html = await live.content();
  for (const secret of [...secrets, ...Object.values(clientKeys), prompt]) {
    assert(!html.includes(secret), "the DOM holds a secret or a prompt (" + secret.length + " characters)");
  }
  return html.length + " characters checked";
});

await check("a screenshot of the page", async () => {
  await live.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
  return process.env.SCREENSHOT;
});

await check("it says when it lost the gateway", async () => {
  await live.route("**/ui?part=main", route => route.abort("connectionrefused"));
  await live.waitForSelector("#connection:not([hidden])", { timeout: 10000 });
  const text = await live.locator("#connection").innerText();
  assert(text.startsWith("Lost the gateway"), text);
  await live.unroute("**/ui?part=main");
  await live.waitForSelector("#connection[hidden]", { state: "attached", timeout: 10000 });
  return text;
});

await check("with JavaScript off, the first render is complete", async () => {
  const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await page.goto(pageUrl);
  for (const name of Object.keys(clientKeys)) {
    const row = await keyRow(page, name);
    assert(Number(row.trim().split("\t").pop()) > 0, name + " has spent something: " + row);
  }
  assert(await page.locator("[data-test=mistral-status]").innerText() !== "", "Mistral status");
  assert(await page.locator("table[data-test=models] tbody tr").count() > 0, "models");
  return await page.locator("[data-test=breaker-state]").innerText();
});

await check("it fits a phone's width", async () => {
  const page = await (await browser.newContext({ viewport: { width: 375, height: 800 } })).newPage();
  await page.goto(pageUrl);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 1, "the page is " + overflow + " px wider than the screen");
  return "no horizontal scroll at 375 px";
});

await browser.close();
process.exit(failed === 0 ? 0 : 1);
