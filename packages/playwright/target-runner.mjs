#!/usr/bin/env node
// The browser side of `softfido matrix --target FILE` (docs/matrix.md "Targets"): one headless
// Chromium, a fresh context per scenario with a softfido authenticator installed, and the
// target's driver module walking the IdP's own pages. The harness (Rust) sends one JSON object
// per line on stdin and reads one per line on stdout; logs go to stderr.
//
//   → {"type":"start", "driver", "softfido", "chromium", "playwrightFrom": [dirs], "redirectUri", "base", "actionMs"}
//   ← {"type":"ready"} or {"type":"fatal", "message"}
//   → {"type":"scenario", "seq", "config", "user": {username, password}, "register": null or
//      {discoverable, secondFactor}, "signIn": {method, discoverable}, "answers": {presence, pin?, biometric?},
//      "authorizeUrl"}
//   ← {"type":"result", "seq", "callback": URL or null, "failure": null or {stage, kind, detail}}
//   → {"type":"stop"}
//
// A scenario: sign up, add the passkey (unless the sign-in is a password alone), drop the
// cookies (no session), queue the user's answers for the sign-in ceremony, open the
// authorization URL, let the driver sign in, and catch the browser's navigation to the client's
// redirect URI (never loaded). A step fails as soon as the authenticator or the browser's client
// refuses a ceremony (the refusal's CTAP status or check is the failure's detail), the driver
// throws (the page's message), or nothing happens for actionMs.

import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { install } from "./index.mjs";
import { CHROMIUM_ARGS } from "./chromium-args.mjs";

let browser = null;
let driver = null;
let settings = null;

function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** playwright-core, from the first of `dirs` (then the working directory) that has it. */
async function importPlaywright(dirs) {
  const tried = [];
  for (const dir of [...dirs, process.cwd()]) {
    try {
      const resolved = createRequire(join(dir, "noop.js")).resolve("playwright-core");
      const module = await import(pathToFileURL(resolved).href);
      return module.chromium ? module : module.default;
    } catch (error) {
      tried.push(`${dir}: ${error.code || error.message}`);
    }
  }
  throw new Error(`playwright-core not found (npm install playwright-core in one of these):\n  ${tried.join("\n  ")}`);
}

async function start(message) {
  settings = message;
  const { chromium } = await importPlaywright(message.playwrightFrom || []);
  driver = await import(pathToFileURL(message.driver).href);
  for (const step of ["signUp", "addPasskey", "signIn"]) {
    if (typeof driver[step] !== "function") throw new Error(`the driver ${message.driver} exports no function ${step}`);
  }
  browser = await chromium.launch({ executablePath: message.chromium, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** A step that did not succeed. */
class Failure extends Error {
  constructor(stage, kind, detail) {
    super(`${stage}: ${kind}: ${detail}`);
    this.stage = stage;
    this.kind = kind;
    this.detail = detail;
  }
}

/**
 * What a driver's or Playwright's error says: `timeout` (Playwright's TimeoutError, or a driver's
 * error named so: nothing happened in time), `broken` (a driver's BrokenRunError: the site or
 * the run broke; also Playwright's network and closed-page failures), else `page` (the page
 * showed a refusal). Only `page` (and a refusal) is a verdict on the IdP.
 */
function kindOf(error) {
  if (error?.name === "TimeoutError") return "timeout";
  if (error?.name === "BrokenRunError") return "broken";
  // Playwright's own failures: the site went away, the browser or the context closed.
  const first = String(error?.message || "").split("\n")[0];
  if (/net::ERR_|has been closed|Navigation failed|crash/i.test(first)) return "broken";
  return "page";
}

/** Resolves with the first refusal softfido records after `from` refusals. */
function nextRefusal(softfido, from, stopped) {
  return new Promise((resolve) => {
    const poll = () => {
      if (stopped.done) return;
      if (softfido.refusals.length > from) return resolve(softfido.refusals[from]);
      setTimeout(poll, 15);
    };
    poll();
  });
}

function describeRefusal(refusal) {
  return refusal.detail ? `${refusal.name}: ${refusal.detail}` : refusal.name;
}

/**
 * Runs `body` as the scenario's `stage`: it fails on a refusal, on a throw, or after actionMs.
 * `body` resolving is success.
 */
async function step(stage, softfido, body) {
  const stopped = { done: false };
  let timer;
  try {
    return await Promise.race([
      body().catch((error) => {
        throw error instanceof Failure ? error : new Failure(stage, kindOf(error), String(error?.message || error).split("\n")[0]);
      }),
      nextRefusal(softfido, softfido.refusals.length, stopped).then((refusal) => {
        throw new Failure(stage, "refused", describeRefusal(refusal));
      }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Failure(stage, "timeout", `nothing happened for ${settings.actionMs * 2} ms`)),
          settings.actionMs * 2);
      }),
    ]);
  } finally {
    stopped.done = true;
    clearTimeout(timer);
  }
}

/** Whether `url` is the client's redirect URI (any query). */
function isCallback(url) {
  try {
    const target = new URL(settings.redirectUri);
    const seen = new URL(url);
    return seen.origin === target.origin && seen.pathname === target.pathname;
  } catch {
    return false;
  }
}

async function runScenario(message) {
  let context = null;
  try {
    context = await browser.newContext();
    return await scenarioIn(context, message);
  } catch (error) {
    if (error instanceof Failure) return { callback: null, failure: { stage: error.stage, kind: error.kind, detail: error.detail } };
    return { callback: null, failure: { stage: "harness", kind: "error", detail: String(error?.stack || error) } };
  } finally {
    // The answer need not wait for the context to close.
    context?.close().catch(() => {});
  }
}

/** The scenario's steps in `context`; throws a Failure for the step that did not succeed. */
async function scenarioIn(context, message) {
  context.setDefaultTimeout(settings.actionMs);
  context.setDefaultNavigationTimeout(settings.actionMs);
  let reached;
  const callback = new Promise((resolve) => { reached = resolve; });
  context.on("request", (request) => { if (isCallback(request.url())) reached(request.url()); });
  await context.route((url) => isCallback(url.href), (route) => {
    reached(route.request().url());
    return route.fulfill({ status: 200, contentType: "text/plain", body: "signed in" });
  });
  // A bridge failure reaches the page as an UnknownError: the run broke, whatever the page says.
  const bridgeErrors = [];
  const softfido = await install(context, { config: message.config, binary: settings.softfido, onError: (error) => bridgeErrors.push(error) });
  try {
    return await scenarioSteps(context, softfido, callback, message);
  } finally {
    if (bridgeErrors.length > 0) throw new Failure("harness", "error", `softfido bridge: ${bridgeErrors[0].message}`);
  }
}

async function scenarioSteps(context, softfido, callback, message) {
  const page = await context.newPage();
  const ctx = { page, base: settings.base, user: message.user, softfido };
  await step("sign_up", softfido, () => driver.signUp(ctx));
  if (message.register) await step("register", softfido, () => driver.addPasskey(ctx, message.register));
  await context.clearCookies();
  if (message.answers) await softfido.next(message.answers);
  const url = await step("sign_in", softfido, async () => {
    await page.goto(message.authorizeUrl);
    // An IdP that answers the request at once (an error redirect) needs no sign-in.
    return Promise.race([callback, driver.signIn(ctx, message.signIn).then(() => callback)]);
  });
  return { callback: url, failure: null };
}

async function handle(message) {
  switch (message.type) {
    case "start":
      try {
        await start(message);
        send({ type: "ready" });
      } catch (error) {
        send({ type: "fatal", message: String(error?.message || error) });
      }
      break;
    case "scenario":
      send({ type: "result", seq: message.seq, ...(await runScenario(message)) });
      break;
    case "stop":
      await browser?.close().catch(() => {});
      process.exit(0);
      break;
    default:
      send({ type: "fatal", message: `unknown message type ${JSON.stringify(message.type)}` });
  }
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (!line.trim()) return;
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    send({ type: "fatal", message: `not JSON: ${line.slice(0, 200)}` });
    return;
  }
  handle(message).catch((error) => send({ type: "fatal", message: String(error?.stack || error) }));
});
// The harness went away: so does the browser.
lines.on("close", async () => {
  await browser?.close().catch(() => {});
  process.exit(0);
});
