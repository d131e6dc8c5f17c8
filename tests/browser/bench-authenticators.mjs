// create() + get() per second in one headless Chromium page, for three authenticators measured in
// one run on the same page and options: softfido through the bridge (@softfido/playwright),
// Chromium's CDP virtual authenticator, and Playwright's own `context.credentials`.
//
//   node tests/browser/bench-authenticators.mjs [--seconds N] [--rounds R] [--markdown FILE]
//
// Each authenticator runs R interleaved rounds of N seconds (the machine's speed drifts; rounds
// alternate so the drift falls on all three alike). Each round is a fresh context: register a
// discoverable credential, then sign in with it, again and again, inside the page. Prints the
// median ceremonies per second of each and softfido's ratio to each peer.
//
// Environment: SOFTFIDO_BIN (default target/debug/softfido; use a release build for figures),
// CHROMIUM_BIN (default /usr/bin/chromium).

import { createServer } from "node:http";
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { install, stopBridges } from "../../packages/playwright/index.mjs";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CHROMIUM = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
const SOFTFIDO = process.env.SOFTFIDO_BIN || join(REPO, "target/debug/softfido");
const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "3" },
    rounds: { type: "string", default: "3" },
    markdown: { type: "string" },
  },
});
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);

/** The page: an empty document on http://localhost (a secure context). */
function startPage() {
  const server = createServer((_, response) => {
    response.writeHead(200, { "content-type": "text/html" });
    response.end("<!doctype html><title>bench</title>");
  });
  return new Promise((resolvePage) => {
    server.listen(0, "127.0.0.1", () => resolvePage({ server, url: `http://localhost:${server.address().port}/` }));
  });
}

/** In the page: register once, then create()+get() pairs until `seconds` pass. Returns pairs done. */
async function ceremoniesInPage(seconds) {
  const random = (n) => crypto.getRandomValues(new Uint8Array(n));
  const deadline = performance.now() + seconds * 1000;
  let pairs = 0;
  while (performance.now() < deadline) {
    const created = await navigator.credentials.create({
      publicKey: {
        rp: { id: "localhost", name: "bench" },
        user: { id: random(16), name: `user${pairs}`, displayName: "bench" },
        challenge: random(32),
        pubKeyCredParams: [{ type: "public-key", alg: -7 }],
        authenticatorSelection: { residentKey: "discouraged", userVerification: "discouraged" },
        attestation: "none",
      },
    });
    await navigator.credentials.get({
      publicKey: {
        rpId: "localhost",
        challenge: random(32),
        allowCredentials: [{ type: "public-key", id: created.rawId }],
        userVerification: "discouraged",
      },
    });
    pairs += 1;
  }
  return pairs;
}

/** The three authenticators: each installs itself into a fresh context. */
const AUTHENTICATORS = {
  "softfido (bridge)": async (context) => {
    await install(context, { profile: "software-token", binary: SOFTFIDO });
  },
  "Chromium CDP virtual authenticator": async (context, page) => {
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable", { enableUI: false });
    await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport: "usb", hasResidentKey: true, hasUserVerification: false, automaticPresenceSimulation: true },
    });
  },
  "Playwright context.credentials": async (context) => {
    await context.credentials.install();
  },
};

async function round(browser, pageUrl, name) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // softfido installs before the page exists (init script); CDP needs the page's target.
    await AUTHENTICATORS[name](context, page);
    await page.goto(pageUrl);
    const pairs = await page.evaluate(ceremoniesInPage, SECONDS);
    return pairs / SECONDS;
  } finally {
    await context.close();
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const { server, url } = await startPage();
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const rates = Object.fromEntries(Object.keys(AUTHENTICATORS).map((name) => [name, []]));
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of Object.keys(AUTHENTICATORS)) rates[name].push(await round(browser, url, name));
  }
} finally {
  await browser.close();
  server.close();
  await stopBridges();
}
const softfido = median(rates["softfido (bridge)"]);
const lines = [
  `create()+get() pairs per second in one page, median of ${ROUNDS} interleaved rounds of ${SECONDS} s:`,
  "",
  "| authenticator | pairs/s | softfido ÷ this |",
  "|---|---:|---:|",
  ...Object.entries(rates).map(([name, values]) => {
    const rate = median(values);
    return `| ${name} | ${rate.toFixed(1)} | ${(softfido / rate).toFixed(2)} |`;
  }),
];
console.log(lines.join("\n"));
if (args.markdown) writeFileSync(args.markdown, lines.join("\n") + "\n");
for (const [name, values] of Object.entries(rates)) {
  if (!values.every((rate) => rate > 0)) {
    console.error(`${name}: a round completed no ceremony`);
    process.exitCode = 1;
  }
}
