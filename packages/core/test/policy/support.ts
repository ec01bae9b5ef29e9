/**
 * Policy test support: a server with the policy installed, one directory per IdP connection, a
 * controllable clock, and helpers that speak SCIM over `fetch`.
 */
import {
  createScimServer,
  type PolicyAdmin,
  type ScimEvent,
  type ScimServer,
  type ScimStore,
} from "../../src/index.js";
import type { PolicyOptions } from "../../src/policy/index.js";

export const BASE = "https://app.example.com/scim/v2";
export const DAY = 86_400_000;

export interface Reply {
  status: number;
  body: any;
}

export type Call = (method: string, path: string, body?: unknown) => Promise<Reply>;

export interface PolicyHarness {
  server: ScimServer;
  policy: PolicyAdmin;
  tenantId: string;
  directoryId: string;
  /** The first directory's bearer token, for requests `call` cannot shape (extra headers). */
  token: string;
  call: Call;
  /** A second IdP connection of the same tenant. */
  addDirectory(name: string): Promise<{ directoryId: string; call: Call }>;
  /** Live delivery of events (after commit). */
  subscribe(handler: (e: ScimEvent) => void): () => void;
  /** What the server logged. */
  logs: string[];
  /** Moves the clock forward. */
  advance(ms: number): void;
  now(): Date;
}

export interface HarnessOptions {
  readonly tenantId?: string;
  /** Another store than the memory store, e.g. PostgreSQL. */
  readonly store?: ScimStore;
}

export async function policyHarness(
  policyOptions: PolicyOptions = {},
  harnessOptions: HarnessOptions = {},
): Promise<PolicyHarness> {
  const tenantId = harnessOptions.tenantId ?? "acme";
  let clock = Date.parse("2025-01-01T00:00:00.000Z");
  const now = () => new Date(clock);
  const logs: string[] = [];
  const logger = {
    error: (message: string, details?: Record<string, unknown>) => void logs.push(JSON.stringify([message, details])),
  };
  const server = createScimServer({
    now,
    logger,
    policy: policyOptions,
    ...(harnessOptions.store ? { store: harnessOptions.store } : {}),
  });
  const fetch = (request: Request) => server.fetch(request);
  const policy = server.policy;
  const subscribe = (handler: (e: ScimEvent) => void) => server.events.subscribe(handler);

  const client =
    (token: string): Call =>
    async (method, path, body) => {
      const init: RequestInit = {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { "content-type": "application/scim+json" } : {}),
        },
      };
      if (body !== undefined) init.body = JSON.stringify(body);
      const res = await fetch(new Request(`${BASE}${path}`, init));
      const text = await res.text();
      return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
    };
  const addDirectory = async (name: string) => {
    const dir = await server.directories.create({ tenantId, name, idp: "okta" });
    const { token } = await server.directories.mintToken(dir.id);
    return { directoryId: dir.id, token, call: client(token) };
  };
  const first = await addDirectory("Okta");
  return {
    server,
    policy,
    tenantId,
    directoryId: first.directoryId,
    token: first.token,
    call: first.call,
    addDirectory,
    subscribe,
    logs,
    advance: (ms) => void (clock += ms),
    now,
  };
}

export const userBody = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName,
  name: { givenName: "Ada", familyName: "Lovelace" },
  emails: [{ value: userName, type: "work", primary: true }],
  active: true,
  ...extra,
});

export const patchOp = (...ops: unknown[]) => ({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations: ops,
});

/** Creates a user over SCIM and returns its id. */
export async function createUser(call: Call, userName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call("POST", "/Users", userBody(userName, extra));
  if (res.status !== 201) throw new Error(`create user: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

export async function createGroup(call: Call, displayName: string, members: string[] = []): Promise<string> {
  const res = await call("POST", "/Groups", {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    displayName,
    members: members.map((value) => ({ value })),
  });
  if (res.status !== 201) throw new Error(`create group: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

export const addMember = (call: Call, groupId: string, userId: string) =>
  call("PATCH", `/Groups/${groupId}`, patchOp({ op: "add", path: "members", value: [{ value: userId }] }));

export const removeMember = (call: Call, groupId: string, userId: string) =>
  call("PATCH", `/Groups/${groupId}`, patchOp({ op: "remove", path: `members[value eq "${userId}"]` }));

/** Okta's deactivation: a path-less replace. */
export const deactivate = (call: Call, userId: string) =>
  call("PATCH", `/Users/${userId}`, patchOp({ op: "replace", value: { active: false } }));
export const reactivate = (call: Call, userId: string) =>
  call("PATCH", `/Users/${userId}`, patchOp({ op: "replace", value: { active: true } }));

/** Lets after-commit delivery run. */
export const settle = () => new Promise((r) => setTimeout(r, 10));
