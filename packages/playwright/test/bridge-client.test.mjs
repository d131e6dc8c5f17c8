// The Node side's HTTP client of the bridge API: kept-alive connections, and the one retry a
// connection the bridge closed while idle calls for.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";

import { BridgeClient, BridgeError } from "../bridge.mjs";

/**
 * A bridge stand-in. `dropReused`: the second request on any connection finds it closed, as
 * when the bridge ends an idle kept-alive connection just as the client reuses it.
 */
async function standIn({ dropReused = false, dropFirst = false } = {}) {
  const seen = { connections: 0, answered: 0 };
  const server = createServer((request, response) => {
    const socket = request.socket;
    socket.requests = (socket.requests ?? 0) + 1;
    if ((dropReused && socket.requests > 1) || (dropFirst && seen.connections === 1 && socket.requests === 1)) {
      socket.destroy();
      return;
    }
    seen.answered += 1;
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ n: seen.answered }));
  });
  server.on("connection", () => { seen.connections += 1; });
  await new Promise((listening) => server.listen(0, "127.0.0.1", listening));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { seen, client: new BridgeClient(url), close: () => new Promise((closed) => { server.closeAllConnections(); server.close(closed); }) };
}

test("calls share one kept-alive connection", async () => {
  const bridge = await standIn();
  try {
    for (let i = 1; i <= 3; i += 1) assert.deepEqual(await bridge.client.call("POST", "/x", {}), { n: i });
    assert.equal(bridge.seen.connections, 1);
  } finally {
    await bridge.close();
  }
});

test("a reused connection the bridge closed is retried once on a new one", async () => {
  const bridge = await standIn({ dropReused: true });
  try {
    assert.deepEqual(await bridge.client.call("POST", "/x", {}), { n: 1 });
    assert.deepEqual(await bridge.client.call("POST", "/x", {}), { n: 2 });
    assert.equal(bridge.seen.connections, 2, "the retry opened a new connection");
  } finally {
    await bridge.close();
  }
});

test("a fresh connection that fails is not retried: the caller gets a BridgeError", async () => {
  const bridge = await standIn({ dropFirst: true });
  try {
    await assert.rejects(bridge.client.call("POST", "/x", {}), BridgeError);
    assert.equal(bridge.seen.answered, 0);
    assert.equal(bridge.seen.connections, 1, "no second attempt");
  } finally {
    await bridge.close();
  }
});
