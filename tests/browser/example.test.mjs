// README's Playwright example (examples/playwright.mjs), run as written: installed beside
// playwright-core and @softfido/playwright as a user's project has them, against `softfido serve`.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { REPO, SOFTFIDO, killServers, startServer, stopServer } from "./support.mjs";

const scratch = mkdtempSync(join(tmpdir(), "softfido-example-"));
const servers = [];
process.on("exit", () => {
  killServers(servers);
  rmSync(scratch, { recursive: true, force: true });
});

/** A user's project: the example, with both packages in its node_modules. */
function project() {
  const dir = join(scratch, "project");
  mkdirSync(join(dir, "node_modules/@softfido"), { recursive: true });
  symlinkSync(join(REPO, "packages/playwright"), join(dir, "node_modules/@softfido/playwright"));
  symlinkSync(join(REPO, "tests/browser/node_modules/playwright-core"), join(dir, "node_modules/playwright-core"));
  copyFileSync(join(REPO, "examples/playwright.mjs"), join(dir, "example.mjs"));
  return dir;
}

let server;
before(async () => {
  server = await startServer(servers, scratch, "example", ["--trust-softfido-test-root"]);
});
after(async () => {
  if (server) await stopServer(server);
});

test("README's Playwright example signs in with a hardware key: hwk, pin, phrh", { timeout: 60_000 }, async () => {
  const dir = project();
  const { stdout } = await promisify(execFile)(process.execPath, ["example.mjs"], {
    cwd: dir,
    timeout: 50_000,
    env: { ...process.env, BASE_URL: server.base, SOFTFIDO_BIN: SOFTFIDO },
  });
  assert.match(stdout, /amr \[ 'hwk', 'mfa', 'pin', 'pop', 'user' \] acr phrh/);
  assert.match(stdout, /passkeys on the key 1/);
});
