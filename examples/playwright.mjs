// softfido in a Playwright script: a security key (PIN 1234, typed for the user) registers a
// passkey on softfido's own pages, then signs in with it; prints what the IdP concluded.
//   softfido serve --addr 127.0.0.1:8080 --trust-softfido-test-root &    (another terminal)
//   node examples/playwright.mjs
import { chromium } from "playwright-core";
import { install } from "@softfido/playwright";

const base = process.env.BASE_URL ?? "http://localhost:8080";
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN ?? "/usr/bin/chromium" });
const context = await browser.newContext();
const softfido = await install(context, { profile: "security-key" });
const page = await context.newPage();
await page.goto(`${base}/signup`);
await page.getByLabel("Username", { exact: true }).fill(`alice-${Date.now()}`);
await page.getByLabel(/^Password/).fill("correct horse battery staple");
await page.getByRole("button", { name: "Create account" }).click();
await page.goto(`${base}/passkeys/manage`);
await page.getByLabel("Name", { exact: true }).fill("softfido key");
await page.getByRole("button", { name: "Add a passkey" }).click();
await page.locator("#passkey-list > li").first().waitFor();
await context.clearCookies();
await page.goto(`${base}/signin`);
await page.getByRole("button", { name: "Sign in with a passkey" }).click();
await page.waitForURL(`${base}/me`);
console.log("amr", await page.locator("#amr li code").allTextContents(), "acr", await page.locator("#acr code").textContent());
console.log("passkeys on the key", (await softfido.credentials()).length);
await browser.close();
