// The flags headless Chromium is launched with on a CI machine (no sandbox, no GPU, no QUIC, no
// background traffic), shared by the target runner and the browser tests.
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
