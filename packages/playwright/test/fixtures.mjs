// Fixtures of the package's tests: a fake bridge (node:http answering canned JSON), two page
// servers on two origins, and headless Chromium through tests/browser's playwright-core.

import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const requireFromBrowserTests = createRequire(resolve(REPO, "tests/browser/package.json"));
/** playwright-core as installed by scripts/browser-setup.sh. */
export const { chromium } = requireFromBrowserTests("playwright-core");

/** Debian's Chromium and its flags, as tests/browser launches it. */
export const { CHROMIUM, CHROMIUM_ARGS } = await import(resolve(REPO, "tests/browser/support.mjs"));

/** Headless Debian Chromium, as tests/browser/pages.test.mjs launches it. */
export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

// ---------------------------------------------------------------------------------------------
// Canned bridge answers: base64url of recognisable bytes
// ---------------------------------------------------------------------------------------------

export const b64 = (bytes) => Buffer.from(bytes).toString("base64url");

export const REGISTRATION = {
  id: b64([1, 2, 3, 4]),
  rawId: b64([1, 2, 3, 4]),
  type: "public-key",
  authenticatorAttachment: "cross-platform",
  clientExtensionResults: { credProps: { rk: true }, prf: { enabled: true, results: { first: b64([9, 9, 9]) } } },
  response: {
    clientDataJSON: b64(Buffer.from('{"type":"webauthn.create"}')),
    attestationObject: b64([0xa3, 1, 2]),
    authenticatorData: b64([5, 6, 7, 8]),
    transports: ["usb", "nfc"],
    publicKey: b64([0x30, 0x59]),
    publicKeyAlgorithm: -7,
  },
};

export const ASSERTION = {
  id: b64([1, 2, 3, 4]),
  rawId: b64([1, 2, 3, 4]),
  type: "public-key",
  authenticatorAttachment: "cross-platform",
  clientExtensionResults: {},
  response: {
    clientDataJSON: b64(Buffer.from('{"type":"webauthn.get"}')),
    authenticatorData: b64([5, 6, 7, 8, 1]),
    signature: b64([0x30, 0x45, 0x02]),
    userHandle: b64([7, 7]),
  },
};

export const CONFIG = { profile: "security-key", presence: "approve" };

// ---------------------------------------------------------------------------------------------
// The fake bridge
// ---------------------------------------------------------------------------------------------

function listen(server, host) {
  return new Promise((resolveListening) => server.listen(0, host, () => resolveListening(server.address().port)));
}

function readBody(request) {
  return new Promise((resolveBody) => {
    let text = "";
    request.on("data", (chunk) => { text += chunk; });
    request.on("end", () => resolveBody(text ? JSON.parse(text) : undefined));
  });
}

/** The default answer of each route of docs/bridge.md. */
function cannedAnswer({ method, path, body }) {
  const route = path.replace(/^\/authenticators\/[^/]+/, "/authenticators/ID");
  if (method === "POST" && path === "/authenticators") return { status: 201, body: { id: "auth-1", attachment: "cross-platform", config: CONFIG } };
  if (method === "POST" && route === "/authenticators/ID/create") return { body: { credential: REGISTRATION } };
  if (method === "POST" && route === "/authenticators/ID/get") return { body: { credential: ASSERTION } };
  if (method === "GET" && route === "/authenticators/ID/credentials") {
    return { body: [{ id: "AQIDBA", rpId: "localhost", userHandle: "Bwc", userName: "alice", userDisplayName: "Alice" },
      { id: "BQY", rpId: "example.com", userHandle: "CAg", userName: "bob", userDisplayName: "Bob" }] };
  }
  if (method === "DELETE" && route.startsWith("/authenticators/ID/credentials/")) {
    return { status: 404, body: { error: "not_found", message: "no such credential" } };
  }
  if (method === "DELETE" || method === "POST") return { status: 204 };
  return { status: 404, body: { error: "not_found", message: `no route ${method} ${path}` } };
}

/**
 * A fake `softfido bridge`: records every request and answers with `bridge.answer(request)`,
 * which a test may replace (it may return a promise). Answers are `{status?, body?}` (JSON) or
 * `{status?, text}` (plain text).
 */
export async function startFakeBridge() {
  const bridge = {
    requests: [],
    answer: cannedAnswer,
    canned: cannedAnswer,
    url: null,
    /** Requests whose path ends with `suffix`. */
    calls(suffix) { return bridge.requests.filter((r) => r.path.endsWith(suffix)); },
    close() { return new Promise((r) => { server.closeAllConnections(); server.close(r); }); },
  };
  const server = createServer(async (request, response) => {
    const record = { method: request.method, path: request.url, body: await readBody(request) };
    bridge.requests.push(record);
    const { status = 200, body, text } = await bridge.answer(record);
    if (text !== undefined) {
      response.writeHead(status, { "content-type": "text/plain" }).end(text);
    } else if (body === undefined) {
      response.writeHead(status).end();
    } else {
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    }
  });
  bridge.url = `http://127.0.0.1:${await listen(server, "127.0.0.1")}`;
  return bridge;
}

// ---------------------------------------------------------------------------------------------
// Pages on two origins
// ---------------------------------------------------------------------------------------------

const EMBEDDING = "publickey-credentials-get; publickey-credentials-create";

/**
 * Two page servers: `top` on http://localhost:P1 and `other` on http://127.0.0.1:P2 (two secure
 * origins). `top.url("/framed")` embeds `other.url("/frame")` in an iframe.
 */
export async function startPageServers() {
  const servers = [];
  const start = async (host) => {
    const server = createServer((request, response) => {
      const path = new URL(request.url, "http://x").pathname;
      const body = path === "/framed"
        ? `<!doctype html><title>top</title><iframe src="${sites.other.url("/frame")}" allow="${EMBEDDING}"></iframe>`
        : `<!doctype html><title>${path}</title><p>${path}</p>`;
      response.writeHead(200, { "content-type": "text/html" }).end(body);
    });
    servers.push(server);
    const port = await listen(server, "127.0.0.1");
    const origin = `http://${host}:${port}`;
    return { origin, url: (path) => `${origin}${path}` };
  };
  const sites = {};
  sites.top = await start("localhost");
  sites.other = await start("127.0.0.1");
  sites.close = () => Promise.all(servers.map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })));
  return sites;
}

/** Polls `condition` every 10 ms until it holds or `ms` pass. */
export async function eventually(condition, ms = 5000, what = "condition") {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
