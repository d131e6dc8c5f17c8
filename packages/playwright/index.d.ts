// Types of @softfido/playwright (index.mjs).

/** The parts of a Playwright BrowserContext this package uses. */
export interface BrowserContextLike {
  exposeBinding(
    name: string,
    callback: (source: BindingSourceLike, ...args: any[]) => any,
  ): Promise<void>;
  addInitScript(script: Function | string | { path?: string; content?: string }, arg?: any): Promise<void>;
  once(event: "close", listener: () => void): unknown;
}

/** The parts of Playwright's binding source this package reads. */
export interface BindingSourceLike {
  frame: { url(): string };
  page: { mainFrame(): { url(): string } };
}

/** A named authenticator profile of softfido (`softfido bridge --print-config PROFILE`). */
export type Profile = "security-key" | "platform" | "synced-passkey" | "software-token" | (string & {});

export interface InstallOptions {
  /** A named profile; without profile or config, the bridge's default (security-key). Not with `config`. */
  profile?: Profile;
  /** A full authenticator configuration (the authenticator crate's Config as JSON). Not with `profile`. */
  config?: Record<string, unknown>;
  /** How the credentials say they were attached (authenticatorAttachment and the transports);
   * default: platform for a key with a built-in sensor, cross-platform otherwise. */
  attachment?: "platform" | "cross-platform";
  /** A state from `exportState()`: the authenticator starts with those credentials. */
  state?: Record<string, unknown>;
  /** URL of a running bridge; when absent a bridge is started (one per Node process). */
  bridge?: string;
  /** The softfido binary to start; default env SOFTFIDO_BIN, else `softfido` on PATH. */
  binary?: string;
  /** Called with each bridge failure met while serving a page's ceremony; default console.error. */
  onError?: (error: BridgeError) => void;
}

/** The user's answers for the next ceremony; each absent one comes from the configuration. */
export interface UserAnswers {
  presence?: "approve" | "deny" | "timeout";
  biometric?: "match" | "no_match";
  pin?: string;
}

/** A discoverable credential on the authenticator; ids and handles in base64url. */
export interface StoredCredential {
  id: string;
  rpId: string;
  userHandle: string;
  userName?: string;
  userDisplayName?: string;
}

/** A ceremony's outcome as the bridge answered it. */
export type CeremonyAnswer =
  | { credential: Record<string, unknown> }
  | { domException: { name: string; message: string } };

/** A 4xx/5xx answer of the bridge API, or a bridge that could not be reached. */
export class BridgeError extends Error {
  name: "BridgeError";
  status?: number;
  code?: string;
  method?: string;
  path?: string;
}

/** The controller of one context's authenticator. */
export class Softfido {
  private constructor();
  /** The authenticator's id on the bridge. */
  readonly id: string;
  /** The authenticator's attachment, as the bridge answered. */
  readonly attachment: "platform" | "cross-platform";
  /** The configuration the bridge answered (a copy). */
  readonly config: Record<string, unknown>;
  /** The bridge's base URL. */
  readonly bridgeUrl: string;
  /** Bridge failures met while serving the page's ceremonies. */
  readonly errors: BridgeError[];
  /**
   * The ceremonies refused so far, oldest first, with what the page is not told: the detail names
   * the CTAP status or the failed check (a page's NotAllowedError message is always the same).
   */
  readonly refusals: { op: "create" | "get"; name: string; detail: string }[];
  /** The user's answers for the next ceremony only. */
  next(answers?: UserAnswers): Promise<void>;
  /** The discoverable credentials, optionally of one RP ID. */
  credentials(filter?: { rpId?: string }): Promise<StoredCredential[]>;
  /** Alias of credentials(). */
  get(filter?: { rpId?: string }): Promise<StoredCredential[]>;
  /** Deletes a credential by its base64url id. */
  deleteCredential(credentialId: string): Promise<void>;
  /**
   * Seeds a discoverable credential (as Playwright's `context.credentials.create`): a base64url
   * PKCS#8 ES256 `privateKey`, or a new key. The credential ID wraps the key: `id` cannot be chosen.
   */
  create(
    rpId: string,
    options: { userHandle: string; privateKey?: string; userName?: string; userDisplayName?: string },
  ): Promise<{ id: string; rpId: string; userHandle: string; publicKey: string }>;
  /** Alias of deleteCredential(). */
  delete(credentialId: string): Promise<void>;
  /** Factory reset. */
  reset(): Promise<void>;
  /** Power cycle: volatile state goes. */
  powerCycle(): Promise<void>;
  /** The persistent state (master key, discoverable credentials, counters, PIN), for `install({state})`. */
  exportState(): Promise<Record<string, unknown>>;
  /**
   * The user picks a passkey in the autofill: the page's waiting conditional request proceeds.
   * Resolves to the bridge's answer once the page has it.
   */
  autofill(credentialId?: string, options?: { timeout?: number }): Promise<CeremonyAnswer>;
  /** Deletes the authenticator (also done when the context closes). */
  close(): Promise<void>;
}

/** The binding's name in every frame. */
export const BINDING_NAME: string;

/** Installs a softfido authenticator into a BrowserContext and returns its controller. */
export function install(context: BrowserContextLike, options?: InstallOptions): Promise<Softfido>;

/** Kills the bridge processes this package started. */
export function stopBridges(): Promise<void>;
