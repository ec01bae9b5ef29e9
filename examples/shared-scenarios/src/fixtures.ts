/** Resource bodies shaped like what Okta and Entra send, with names unique per call. */
import { expect } from "vitest";
import type { ListResponse, Resource, ScimClient } from "./client.js";

export const URN = {
  User: "urn:ietf:params:scim:schemas:core:2.0:User",
  Group: "urn:ietf:params:scim:schemas:core:2.0:Group",
  Enterprise: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
  ListResponse: "urn:ietf:params:scim:api:messages:2.0:ListResponse",
  Error: "urn:ietf:params:scim:api:messages:2.0:Error",
} as const;

let counter = 0;
/** A name no other scenario (nor an earlier run on the same data folder) uses. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 7)}`;
}

/** An Okta-style create body. */
export function userBody(userName: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: [URN.User],
    userName,
    name: { givenName: "Ada", familyName: "Lovelace" },
    emails: [{ primary: true, value: userName, type: "work" }],
    displayName: "Ada Lovelace",
    externalId: unique("ext"),
    active: true,
    ...extra,
  };
}

export async function createUser(client: ScimClient, extra: Record<string, unknown> = {}): Promise<Resource> {
  const res = await client.post("/Users", userBody(`${unique("user")}@example.com`, extra));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Resource;
}

export async function createGroup(client: ScimClient, members: string[] = []): Promise<Resource> {
  const res = await client.post("/Groups", {
    schemas: [URN.Group],
    displayName: unique("group"),
    members: members.map((value) => ({ value })),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Resource;
}

/** Member ids of a group, read back with a fresh GET (a PATCH may answer 204 without a body). */
export async function memberIds(client: ScimClient, groupId: string): Promise<string[]> {
  const res = await client.get(`/Groups/${groupId}`);
  expect(res.status).toBe(200);
  const members = (res.body?.["members"] ?? []) as Array<{ value: string }>;
  return members.map((m) => m.value).sort();
}

/** A PATCH succeeded as RFC 7644 §3.5.2 allows: 200 with the resource, or 204. */
export function expectPatchApplied(status: number, body: unknown): void {
  expect([200, 204], JSON.stringify(body)).toContain(status);
}

export const list = <T = Resource>(res: { body: unknown }) => res.body as ListResponse<T>;
