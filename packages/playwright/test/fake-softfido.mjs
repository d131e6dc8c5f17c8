#!/usr/bin/env node
// A stand-in for the softfido binary: `fake-softfido.mjs bridge --addr 127.0.0.1:0 [...]` runs the
// fake bridge of fixtures.mjs and prints the line the real one prints. FAKE_SOFTFIDO_PIDS names a
// file to append this process's pid to; FAKE_SOFTFIDO_NO_STDIN_FLAG=1 makes it refuse
// --stop-on-stdin-eof as a bridge without that flag would.
import { appendFileSync } from "node:fs";
import { startFakeBridge } from "./fixtures.mjs";

const args = process.argv.slice(2);
if (args[0] !== "bridge") {
  console.error(`fake softfido: unknown command ${args[0]}`);
  process.exit(2);
}
if (args.includes("--stop-on-stdin-eof")) {
  if (process.env.FAKE_SOFTFIDO_NO_STDIN_FLAG === "1") {
    console.error("error: unexpected argument '--stop-on-stdin-eof' found");
    process.exit(2);
  }
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
}
if (process.env.FAKE_SOFTFIDO_PIDS) appendFileSync(process.env.FAKE_SOFTFIDO_PIDS, `${process.pid}\n`);
const bridge = await startFakeBridge();
console.log(`softfido bridge listening on ${bridge.url}`);
