/** Test support: a server with one directory and token, and a `call` that speaks HTTP through `fetch`. */
import { createScimServer, type ScimServer, type ScimServerOptions } from "../src/index.js";
import type { ProfileName } from "../src/compat/profiles.js";

export const BASE = "https://app.example.com/scim/v2";

export interface Harness {
  server: ScimServer;
  token: string;
  directoryId: string;
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
}

export async function harness(
  options: ScimServerOptions & { profile?: ProfileName; tenantId?: string } = {},
): Promise<Harness> {
  const { profile, tenantId, ...serverOptions } = options;
  const server = createScimServer(serverOptions);
  const dir = await server.directories.create({
    tenantId: tenantId ?? "acme",
    name: "Test IdP",
    ...(profile ? { profile } : {}),
  });
  const { token } = await server.directories.mintToken(dir.id);
  return {
    server,
    token,
    directoryId: dir.id,
    async call(method, path, body, headers = {}) {
      const init: RequestInit = {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { "content-type": "application/scim+json" } : {}),
          ...headers,
        },
      };
      if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
      const res = await server.fetch(new Request(`${BASE}${path}`, init));
      const text = await res.text();
      return { status: res.status, body: text === "" ? undefined : JSON.parse(text), headers: res.headers };
    },
  };
}

export const user = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName,
  name: { givenName: "Ada", familyName: "Lovelace" },
  emails: [{ value: userName, type: "work", primary: true }],
  active: true,
  ...extra,
});
