// The Node side's link to `softfido bridge` (docs/bridge.md): its HTTP API over loopback, and the
// bridge process this package starts when no bridge URL is given (one per Node process).

import { spawn } from "node:child_process";
import http from "node:http";

/** How long a started bridge has to print its "listening on" line. */
const START_TIMEOUT_MS = 20_000;
const LISTENING = /listening on (http:\/\/\S+)/;

/** A 4xx or 5xx answer of the bridge API, or a bridge that could not be reached. */
export class BridgeError extends Error {
  /**
   * @param {string} message
   * @param {{status?: number, code?: string, method?: string, path?: string, cause?: unknown}} details
   */
  constructor(message, { status, code, method, path, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "BridgeError";
    this.status = status;
    this.code = code;
    this.method = method;
    this.path = path;
  }
}

/**
 * Loopback connections kept open between calls, so that a ceremony costs one small exchange.
 * The bridge closes a connection idle for 10 s; this side lets go of its idle ones after 4 s,
 * before the bridge does.
 */
const KEEP_ALIVE = new http.Agent({ keepAlive: true, timeout: 4_000 });

/** Calls of one bridge's HTTP API. */
export class BridgeClient {
  /** @param {string} url the bridge's base URL, e.g. http://127.0.0.1:41234 */
  constructor(url) {
    this.url = url.replace(/\/+$/, "");
  }

  /**
   * One API call. Resolves to the parsed JSON answer (null for 204); rejects with a BridgeError
   * for a 4xx/5xx answer or a connection failure.
   */
  async call(method, path, body) {
    let status;
    let text;
    try {
      ({ status, text } = await request(`${this.url}${path}`, method, body === undefined ? undefined : JSON.stringify(body)));
    } catch (cause) {
      throw new BridgeError(`softfido bridge at ${this.url} could not be reached (${method} ${path}): ${cause.message}`,
        { method, path, cause });
    }
    if (status >= 400) throw refusal(method, path, status, text);
    if (status === 204 || text === "") return null;
    try {
      return JSON.parse(text);
    } catch {
      throw new BridgeError(`softfido bridge: ${method} ${path} answered ${status} with no JSON: ${text.slice(0, 200)}`,
        { status, method, path });
    }
  }
}

/**
 * One HTTP exchange over a kept-alive loopback connection: the status and the body as text.
 * A kept-alive connection the bridge closed just as this side reused it fails before any answer
 * (the race Node's documentation describes for `request.reusedSocket`); the bridge never read
 * that request, so it is sent once more on a new connection.
 */
function request(url, method, json, retried = false) {
  return new Promise((resolve, reject) => {
    const headers = json === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(json) };
    let answered = false;
    const outgoing = http.request(url, { method, headers, agent: KEEP_ALIVE }, (response) => {
      answered = true;
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => { text += chunk; });
      response.on("end", () => resolve({ status: response.statusCode, text }));
      response.on("error", reject);
    });
    outgoing.on("error", (error) => {
      if (!retried && !answered && outgoing.reusedSocket && (error.code === "ECONNRESET" || error.code === "EPIPE")) {
        resolve(request(url, method, json, true));
      } else {
        reject(error);
      }
    });
    outgoing.end(json);
  });
}

function refusal(method, path, status, text) {
  let code;
  let detail = text.slice(0, 500);
  try {
    const parsed = JSON.parse(text);
    code = parsed.error;
    detail = [parsed.error, parsed.message].filter(Boolean).join(": ") || detail;
  } catch {
    // not JSON: the text says it
  }
  return new BridgeError(`softfido bridge refused ${method} ${path} (HTTP ${status}): ${detail}`,
    { status, code, method, path });
}

// ---------------------------------------------------------------------------------------------
// The bridge process
// ---------------------------------------------------------------------------------------------

/** Started bridges by binary: promises of { url, child }. */
const started = new Map();
let exitHookInstalled = false;

/** The softfido binary: the option, else SOFTFIDO_BIN, else `softfido` on PATH. */
export function softfidoBinary(option) {
  return option || process.env.SOFTFIDO_BIN || "softfido";
}

/**
 * The URL of a bridge started from `binary`, starting it on the first call. The process is
 * shared by every caller in this Node process and killed when the process exits.
 */
export function sharedBridgeUrl(binary) {
  if (!started.has(binary)) {
    const starting = startBridge(binary);
    started.set(binary, starting);
    starting.catch(() => started.delete(binary));
  }
  return started.get(binary).then((bridge) => bridge.url);
}

/** Kills every bridge this module started; later installs start a new one. */
export async function stopBridges() {
  const bridges = await Promise.allSettled([...started.values()]);
  started.clear();
  await Promise.all(bridges.filter((b) => b.status === "fulfilled").map((b) => killAndWait(b.value.child)));
}

function killAndWait(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", resolve);
    child.ref(); // keep the Node process up until the exit is seen
    child.kill("SIGKILL");
  });
}

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const starting of started.values()) starting.then((b) => b.child.kill("SIGKILL"), () => {});
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  });
}

/** Every bridge child ever spawned, for the exit hook (which cannot wait for promises). */
const children = new Set();

async function startBridge(binary) {
  installExitHook();
  try {
    return await spawnBridge(binary, ["bridge", "--addr", "127.0.0.1:0", "--stop-on-stdin-eof"]);
  } catch (error) {
    // A bridge without --stop-on-stdin-eof: then only the exit hook stops it.
    if (!/stop-on-stdin-eof/.test(error.message)) throw error;
    return spawnBridge(binary, ["bridge", "--addr", "127.0.0.1:0"]);
  }
}

/** Spawns the bridge and resolves once it printed its URL (docs/bridge.md, "Starting it"). */
function spawnBridge(binary, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    children.add(child);
    let stdout = "";
    let stderr = "";
    const fail = (message) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new BridgeError(`${message}\n${binary} ${args.join(" ")}\nstdout: ${stdout.slice(-1000)}\nstderr: ${stderr.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail(`softfido bridge printed no "listening on" line in ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once("error", (error) => fail(`softfido bridge could not be started (${error.message}); set SOFTFIDO_BIN or the binary option`));
    child.once("exit", (code, signal) => fail(`softfido bridge exited (${signal || `code ${code}`}) before listening`));
    child.stderr.on("data", (chunk) => { stderr += chunk; });
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const match = LISTENING.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      detach(child);
      resolve({ url: match[1], child });
    });
  });
}

/** Lets the Node process exit while the bridge runs; the exit hook then kills it. */
function detach(child) {
  for (const stream of [child.stdout, child.stderr]) {
    stream.removeAllListeners("data");
    stream.resume(); // keep draining so the bridge never blocks on a full pipe
  }
  child.on("exit", () => children.delete(child));
  for (const stream of [child.stdin, child.stdout, child.stderr]) stream.unref?.();
  child.unref();
}
