// What the headless Chromium tests share: the binaries, `softfido serve` processes, and reading
// the relying party's pages.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CHROMIUM_ARGS } from "../../packages/playwright/chromium-args.mjs";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SOFTFIDO = process.env.SOFTFIDO_BIN || join(REPO, "target/debug/softfido");
export const CHROMIUM = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
export { CHROMIUM_ARGS };

// ---------------------------------------------------------------------------------------------
// softfido serve
// ---------------------------------------------------------------------------------------------

/** A free TCP port on 127.0.0.1 (the server binds it a moment later). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts `softfido serve` on a free port with an in-memory database, logging to `scratch`, and
 * adds it to `servers`; resolves once it answers.
 */
export async function startServer(servers, scratch, name, extraArgs = []) {
  assert.ok(existsSync(SOFTFIDO), `no softfido binary at ${SOFTFIDO}: cargo build -p softfido-harness`);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const base = `http://localhost:${port}`;
    const logPath = join(scratch, `${name}-${attempt}.log`);
    const log = createWriteStream(logPath);
    const args = ["serve", "--addr", `127.0.0.1:${port}`, "--db", ":memory:",
      "--config", join(REPO, "examples/idp.json"), "--origin", base, ...extraArgs];
    const child = spawn(SOFTFIDO, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    const server = { name, base, child, logPath };
    servers.push(server);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && child.exitCode === null) {
      try {
        const response = await fetch(`${base}/signin`, { signal: AbortSignal.timeout(1000) });
        if (response.ok) return server;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const log_ = readLog(server);
    child.kill("SIGKILL");
    // Someone else took the port between the probe and the bind: try another.
    if (attempt < 3 && /binding|address in use/i.test(log_)) continue;
    throw new Error(`softfido serve did not come up on ${base}:\n${log_}`);
  }
}

export function readLog(server) {
  try {
    return readFileSync(server.logPath, "utf8");
  } catch {
    return "";
  }
}

export async function stopServer(server) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((r) => server.child.once("exit", r));
  server.child.kill("SIGTERM");
  const timer = setTimeout(() => server.child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

export function killServers(servers) {
  for (const server of servers) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
  }
}

// ---------------------------------------------------------------------------------------------
// The pages
// ---------------------------------------------------------------------------------------------

/** The #message box, when shown. */
export async function message(page) {
  const box = page.locator("#message");
  if (!(await box.isVisible())) return null;
  return { text: (await box.textContent()).trim(), kind: (await box.getAttribute("class")).replace("message", "").trim() };
}

/** Reads /me as the page shows it: the amr values listed and the acr value ("none" when absent). */
export async function readMe(page, base) {
  if (!page.url().startsWith(`${base}/me`)) await page.goto(`${base}/me`);
  await page.locator("#session").waitFor({ state: "visible" });
  const amr = await page.locator("#amr li code").allTextContents();
  const acr = (await page.locator("#acr code").textContent()).trim();
  return { amr, acr };
}

/** Waits until the page has gone to /me after a sign-in, failing early on an error message. */
export async function landOnMe(page, base) {
  const error = page.locator("#message.error");
  await Promise.race([
    page.waitForURL(`${base}/me`),
    error.waitFor({ state: "visible" }).then(async () => {
      throw new Error(`sign-in failed on the page: ${await error.textContent()}`);
    }),
  ]);
}

/** The passkeys listed on /passkeys/manage: [{name, meta, item}]. */
export async function listedPasskeys(page) {
  await page.locator("#list-section").waitFor({ state: "visible" });
  const items = await page.locator("#passkey-list > li").all();
  const listed = [];
  for (const item of items) {
    listed.push({ name: (await item.locator(".name").textContent()).trim(), meta: await item.locator(".meta").textContent(), item });
  }
  return listed;
}
