// The driver of softfido's own pages (relying-party/web): sign-up, the sign-up page's "Add a
// passkey" form, and the sign-in page an authorization request lands on. Each step resolves
// once the page shows it succeeded and throws the page's error message as soon as one shows.

/** Resolves when `success` does; throws the text of the page's error message if it shows first. */
async function settle(page, success) {
  const error = page.locator("#message.error");
  await Promise.race([
    success,
    error.waitFor({ state: "visible" }).then(async () => {
      throw new Error((await error.textContent()).trim());
    }),
  ]);
}

/** Creates the account with a password; the sign-up page then offers to add a passkey. */
export async function signUp({ page, base, user }) {
  await page.goto(`${base}/signup`);
  await page.getByLabel("Username", { exact: true }).fill(user.username);
  await page.getByLabel(/^Password/).fill(user.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await settle(page, page.locator("#add-passkey").waitFor({ state: "visible" }));
}

/** Adds the authenticator on the sign-up page (a passkey and a second factor are the same here). */
export async function addPasskey({ page }, { discoverable }) {
  await page.getByLabel("Name for the passkey", { exact: true }).fill("matrix key");
  await page.locator("#passkey-discoverable").setChecked(discoverable);
  await page.getByRole("button", { name: "Add a passkey" }).click();
  // The form goes once the passkey is saved ("#done" shows from the start for an account with
  // a password, so it proves nothing).
  await settle(page, page.locator("#add-passkey").waitFor({ state: "hidden" }));
}

/** Signs in on /signin (where /authorize sent the browser) with `method`. */
export async function signIn({ page, base, user }, { method, discoverable }) {
  await page.locator("#signin-form").waitFor({ state: "visible" });
  if (method === "passkey" && discoverable) {
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  } else {
    await page.getByLabel("Username", { exact: true }).fill(user.username);
    if (method !== "passkey") await page.getByLabel("Password", { exact: true }).fill(user.password);
    const button = { passkey: "Continue with a passkey", password: "Sign in with password", password_and_key: "Password + security key" }[method];
    if (!button) throw new Error(`softfido's sign-in page has no ${method} sign-in`);
    await page.getByRole("button", { name: button }).click();
  }
  await settle(page, page.waitForURL((url) => !url.href.startsWith(`${base}/signin`)));
}
