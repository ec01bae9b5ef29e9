/**
 * The settings page's calls to the admin API: same-origin `fetch` with the host's session cookie,
 * JSON bodies (the API's CSRF check needs `Content-Type: application/json` on every change), and
 * errors as {@link ApiError} with the API's code and issues.
 */

export interface ApiIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: readonly ApiIssue[] = [],
  ) {
    super(message);
  }

  /** The message of the issue about body field `field`, if any. */
  about(field: string): string | undefined {
    return this.issues.find((i) => i.path[0] === "body" && i.path[1] === field)?.message;
  }
}

export interface Client {
  get<T>(path: string): Promise<T>;
  send<T>(method: "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T>;
}

export function createClient(base: string): Client {
  const root = base.replace(/\/+$/, "");
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(root + path, {
        method,
        credentials: "same-origin",
        headers: { accept: "application/json", ...(method === "GET" ? {} : { "content-type": "application/json" }) },
        ...(method === "GET" ? {} : { body: JSON.stringify(body ?? {}) }),
      });
    } catch (error) {
      throw new ApiError(0, "network", error instanceof Error ? error.message : String(error));
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      // Not the API's JSON (a proxy's error page): reported by status below.
    }
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string; issues?: ApiIssue[] } } | null)?.error;
      throw new ApiError(res.status, e?.code ?? "http", e?.message ?? `HTTP ${res.status}`, e?.issues ?? []);
    }
    return json as T;
  }
  return {
    get: (path) => call("GET", path),
    send: (method, path, body) => call(method, path, body),
  };
}

/* The API's shapes, as the page reads them ------------------------------------------------------ */

export type IdpKind = "okta" | "entra" | "onelogin" | "jumpcloud" | "ping" | "generic";
export const idpKinds: readonly IdpKind[] = ["okta", "entra", "onelogin", "jumpcloud", "ping", "generic"];

export interface Connection {
  id: string;
  name: string;
  idp: IdpKind;
  primary: boolean;
  enabled: boolean;
  scimBaseUrl: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface Token {
  id: string;
  hint: string | null;
  status: "active" | "expired" | "revoked";
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface Minted {
  secret: string;
  token: Token;
  scimBaseUrl: string;
  stillValid: Token[];
}

export interface SetupGuide {
  idp: IdpKind;
  label: string;
  scimBaseUrl: string;
  tokenHint: string | null;
  steps: { title: string; detail: string }[];
  notes: string[];
}

export interface Health {
  enabled: boolean;
  lastRequestAt: string | null;
  lastUsedAt: string | null;
  lastError: { at: string; status: number; detail: string } | null;
  windowMinutes: number;
  requests: number;
  failures: number;
  unauthorized: number;
  forbidden: number;
  byStatus: Record<string, number>;
  tolerances: { name: string; requests: number }[];
}

export type OnDeactivate = "deactivate" | "delete" | { deactivateThenDeleteAfterDays: number };
export interface Deprovisioning {
  onDeactivate: OnDeactivate;
  onDelete: "hard" | "tombstone";
}

export interface Role {
  id: string;
  label: string;
}

export interface Group {
  id: string;
  displayName: string | null;
  memberCount: number;
  roleId: string | null;
  roleLabel: string | null;
  active: boolean;
}

export interface Preview {
  roleId: string | null;
  changes: { userId: string; userName: string; before: string[] | null; after: string[] | null }[];
  unchanged: number;
  excluded: string[];
}

export interface User {
  id: string;
  userName: string;
  email: string | null;
  displayName: string | null;
  name: { givenName: string | null; familyName: string | null; formatted: string | null };
  active: boolean;
  roles: string[] | null;
  excluded: boolean;
}

export interface Exclusion {
  userId: string;
  userName: string | null;
  excludedAt: string;
  note: string | null;
}

export type Actor =
  | { type: "admin"; id: string; name: string | null; email: string | null }
  | { type: "connection"; connectionId: string | null }
  | { type: "system" };

export interface Activity {
  seq: number;
  at: string;
  operation: string;
  actor: Actor;
  connectionId: string | null;
  resourceType: string | null;
  resourceId: string | null;
  outcome: "success" | "failure";
  status: number;
  detail: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  facts: Record<string, unknown>;
}

export interface Page<T> {
  items: T[];
  total: number;
  startIndex: number;
}
