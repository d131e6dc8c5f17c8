// create()+get() pairs per second: softfido against the software authenticators a user would pick
// instead, measured in one run on this machine (its speed drifts between runs; only ratios of the
// same run count). A pair registers a fresh non-discoverable credential (attestation none,
// userVerification discouraged, ES256) and signs in once with it. The peers:
//
//   in one headless Chromium page, the same options (`ceremoniesInPage`):
//     softfido through the bridge (@softfido/playwright), Chromium's CDP virtual authenticator,
//     Playwright's own `context.credentials`;
//   as processes, timing themselves (start-up not counted), each response verified as an RP would:
//     soft-webauthn + py_webauthn (tests/bench/soft_webauthn_pairs.py, one Python process),
//     softfido in process (`softfido bench --pairs --json`: the harness's WebAuthn client, the
//     authenticator and softfido-rp's verification on one thread; also the same loop without
//     the RP, what a browser with its authenticator does).
//
//   node tests/browser/bench-authenticators.mjs [--seconds N] [--rounds R] [--peers all|page]
//        [--python PATH] [--markdown FILE] [--command TEXT]
//
// Each round runs every peer in turn for N seconds (softfido in process: N for each of its two
// figures), R rounds. Prints the median pairs/s of each and softfido's ratios to its peers, each
// the median of the same-round ratios. `--peers page` keeps the three in-page authenticators only.
// `--command` names the command that reproduces the table (default: this one).
//
// Environment: SOFTFIDO_BIN (default target/debug/softfido; use a release build for figures),
// CHROMIUM_BIN (default /usr/bin/chromium).

import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { cpus } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { chromium } from "playwright-core";
import { install, stopBridges } from "../../packages/playwright/index.mjs";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CHROMIUM = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
const SOFTFIDO = process.env.SOFTFIDO_BIN || join(REPO, "target/debug/softfido");
const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "3" },
    rounds: { type: "string", default: "3" },
    peers: { type: "string", default: "all" },
    python: { type: "string", default: join(REPO, ".venv/bin/python") },
    markdown: { type: "string" },
    command: { type: "string" },
  },
});
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
if (!(SECONDS > 0) || !(ROUNDS >= 1) || !["all", "page"].includes(args.peers)) {
  console.error("usage: bench-authenticators.mjs [--seconds N>0] [--rounds R>=1] [--peers all|page] …");
  process.exit(2);
}

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

/** In the page: create()+get() pairs until `seconds` pass. Returns pairs done. */
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

/** The in-page authenticators: each installs itself into a fresh context. */
const IN_PAGE = {
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

const BINDING_FLOOR = "Playwright binding, 2 empty round trips";

/**
 * In the page: pairs of round trips through a Playwright binding that answers at once, with
 * messages the size of the bridge's. No authenticator reached through a binding of
 * `context.exposeBinding` (softfido's bridge is one) can do more pairs per second than this.
 */
async function bindingRoundTripsInPage(seconds) {
  const message = JSON.stringify({ op: "create", callId: "1", mediation: "optional", options: { challenge: "A".repeat(43),
    rp: { id: "localhost", name: "bench" }, user: { id: "A".repeat(22), name: "user", displayName: "bench" } } });
  const deadline = performance.now() + seconds * 1000;
  let pairs = 0;
  while (performance.now() < deadline) {
    JSON.parse(await window.__benchEcho(message));
    JSON.parse(await window.__benchEcho(message));
    pairs += 1;
  }
  return pairs;
}

/** One round of the binding floor in a fresh context: pairs per second. */
async function bindingFloorRound(browser, pageUrl) {
  const context = await browser.newContext();
  try {
    await context.exposeBinding("__benchEcho", (_source, message) => message);
    const page = await context.newPage();
    await page.goto(pageUrl);
    return { [BINDING_FLOOR]: (await page.evaluate(bindingRoundTripsInPage, SECONDS)) / SECONDS };
  } finally {
    await context.close();
  }
}

/** One round of an in-page authenticator in a fresh context: pairs per second. */
async function pageRound(browser, pageUrl, name) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // softfido installs before the page exists (init script); CDP needs the page's target.
    await IN_PAGE[name](context, page);
    await page.goto(pageUrl);
    const pairs = await page.evaluate(ceremoniesInPage, SECONDS);
    return { [name]: pairs / SECONDS };
  } finally {
    await context.close();
  }
}

/** Runs a peer process that prints one JSON line of figures last. */
async function figuresOf(program, programArgs) {
  const run = promisify(execFile);
  const { stdout } = await run(program, programArgs, { cwd: REPO, timeout: (4 * SECONDS + 60) * 1000 });
  return JSON.parse(stdout.trim().split("\n").at(-1));
}

const PYTHON_PEER = "soft-webauthn + py_webauthn";
const IN_PROCESS = "softfido in process";
const IN_PROCESS_NO_RP = "softfido in process, no RP";

/** The process peers: each round gives pairs per second by name. */
const PROCESSES = {
  [PYTHON_PEER]: async () => {
    const figures = await figuresOf(args.python, ["tests/bench/soft_webauthn_pairs.py", "--seconds", String(SECONDS)]);
    return { [PYTHON_PEER]: figures.pairs_per_second };
  },
  [IN_PROCESS]: async () => {
    const figures = await figuresOf(SOFTFIDO, ["bench", "--pairs", "--seconds", String(SECONDS), "--json"]);
    return { [IN_PROCESS]: figures.pairs_per_second, [IN_PROCESS_NO_RP]: figures.without_rp.pairs_per_second };
  },
};

/** What each row is: where it runs and who verifies the responses. */
const WHERE = {
  [IN_PROCESS]: ["one Rust thread", "softfido-rp"],
  [IN_PROCESS_NO_RP]: ["one Rust thread", "none"],
  [PYTHON_PEER]: ["one Python process", "py_webauthn"],
  "softfido (bridge)": ["Chromium page", "none"],
  "Chromium CDP virtual authenticator": ["Chromium page", "none"],
  "Playwright context.credentials": ["Chromium page", "none"],
  [BINDING_FLOOR]: ["Chromium page", "no authenticator: the ceiling of the bridge's path"],
};

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Every round: each in-page authenticator, then each process peer. Returns the rounds' rates. */
async function measure() {
  const { server, url } = await startPage();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  const rounds = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const round = {};
      for (const name of Object.keys(IN_PAGE)) Object.assign(round, await pageRound(browser, url, name));
      Object.assign(round, await bindingFloorRound(browser, url));
      if (args.peers === "all") {
        for (const peer of Object.values(PROCESSES)) Object.assign(round, await peer());
      }
      rounds.push(round);
    }
  } finally {
    await browser.close();
    server.close();
    await stopBridges();
  }
  return rounds;
}

/** The machine: CPU model, cores, date. */
function machineLine() {
  let model = cpus()[0]?.model ?? "unknown CPU";
  try {
    model = readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.*)$/m)?.[1] ?? model;
  } catch {
    // not Linux: the model Node reports
  }
  return `Machine: ${model}, ${cpus().length} cores, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC; softfido binary: \`${relative(REPO, SOFTFIDO)}\`.`;
}

/** Median over rounds of `a ÷ b` in the same round. */
function ratio(rounds, a, b) {
  return median(rounds.map((round) => round[a] / round[b])).toFixed(2);
}

function ratioRows(rounds) {
  const rows = [];
  if (args.peers === "all") {
    rows.push("", "| softfido in process ÷ peer | with the RP's verification | client + authenticator only |", "|---|---:|---:|");
    for (const peer of [PYTHON_PEER, "Chromium CDP virtual authenticator", "Playwright context.credentials"]) {
      rows.push(`| ${peer} | ${ratio(rounds, IN_PROCESS, peer)} | ${ratio(rounds, IN_PROCESS_NO_RP, peer)} |`);
    }
  }
  rows.push("", "| softfido (bridge) ÷ peer, same page | ratio |", "|---|---:|");
  for (const peer of ["Playwright context.credentials", "Chromium CDP virtual authenticator", BINDING_FLOOR]) {
    rows.push(`| ${peer} | ${ratio(rounds, "softfido (bridge)", peer)} |`);
  }
  return rows;
}

function table(rounds) {
  const names = Object.keys(WHERE).filter((name) => name in rounds[0]);
  const command = args.command ?? `node ${relative(REPO, fileURLToPath(import.meta.url))} ${process.argv.slice(2).join(" ")}`;
  return [
    `create()+get() pairs per second (one registration of a fresh credential, then one sign-in with it), median of ${ROUNDS} interleaved round${ROUNDS === 1 ? "" : "s"} of ${SECONDS} s:`,
    "",
    machineLine(),
    `Reproduce: \`${command.trim()}\``,
    "",
    "| peer | runs in | responses verified by | pairs/s | rounds, min–max |",
    "|---|---|---|---:|---:|",
    ...names.map((name) => {
      const rates = rounds.map((round) => round[name]);
      const [where, verifier] = WHERE[name];
      return `| ${name} | ${where} | ${verifier} | ${median(rates).toFixed(1)} | ${Math.min(...rates).toFixed(0)}–${Math.max(...rates).toFixed(0)} |`;
    }),
    ...ratioRows(rounds),
  ];
}

const rounds = await measure();
const lines = table(rounds);
console.log(lines.join("\n"));
if (args.markdown) writeFileSync(args.markdown, lines.join("\n") + "\n");
for (const name of Object.keys(rounds[0])) {
  if (!rounds.every((round) => round[name] > 0)) {
    console.error(`${name}: a round completed no ceremony`);
    process.exitCode = 1;
  }
}
