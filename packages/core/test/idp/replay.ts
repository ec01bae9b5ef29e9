/**
 * Replays an IdP's request sequence (a JSON fixture written from the IdP notes) against a fresh
 * server through `server.fetch`, the way the IdP would send it, and checks each answer. Writes are
 * checked by reading the resource back with GET, never by the status code alone.
 *
 * Fixture strings may use `${name}` for values saved from earlier answers (`save`).
 */
import { expect } from "vitest";
import { createScimServer, type IdpKind, type ProfileName } from "@scimkit/core";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Step {
  readonly name: string;
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Relative to the SCIM base URL, e.g. `/Users?filter=userName eq "a"`. */
  readonly path: string;
  readonly body?: Json;
  readonly expect: {
    /** One status, or the statuses the IdP accepts (e.g. 200 or 204 for PATCH). */
    readonly status: number | readonly number[];
    /** A subset the answer must contain (arrays compare element by element). */
    readonly body?: Json;
    /** Dotted paths that must be absent from the answer. */
    readonly absent?: readonly string[];
    /** The exact set of member ids of a Group answer (order ignored). */
    readonly members?: readonly string[];
    /** Tolerances the audit entry of this request must list. */
    readonly tolerances?: readonly string[];
  };
  /** Variables to save from the answer: name → dotted path, e.g. `{ "userId": "id" }`. */
  readonly save?: Readonly<Record<string, string>>;
}

export interface Fixture {
  readonly name: string;
  readonly directory: { readonly idp: IdpKind; readonly profile?: ProfileName };
  /** Headers the IdP sends with every request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A query parameter the IdP appends to every request (Entra's `aadOptscim062020`). */
  readonly query?: string;
  readonly steps: readonly Step[];
}

const at = (value: unknown, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>(
      (v, key) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined),
      value,
    );

function fill(value: Json | undefined, vars: ReadonlyMap<string, string>): Json | undefined {
  if (typeof value === "string")
    return value.replace(/\$\{(\w+)\}/g, (_, name: string) => vars.get(name) ?? `<unset ${name}>`);
  if (Array.isArray(value)) return value.map((v) => fill(v, vars) as Json);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [fill(k, vars) as string, fill(v, vars) as Json]));
  return value;
}

function url(path: string, query: string | undefined): string {
  const u = new URL(`http://localhost/scim/v2${path}`);
  if (query) u.search = u.search ? `${u.search}&${query}` : `?${query}`;
  return u.toString();
}

export async function replay(fixture: Fixture): Promise<void> {
  const server = createScimServer();
  const tenantId = "t1";
  const directory = await server.directories.create({
    tenantId,
    name: fixture.name,
    idp: fixture.directory.idp,
    ...(fixture.directory.profile ? { profile: fixture.directory.profile } : {}),
  });
  const { token } = await server.directories.mintToken(directory.id);
  const vars = new Map<string, string>();
  for (const step of fixture.steps) {
    const label = `${fixture.name} › ${step.name}`;
    const body = fill(step.body, vars);
    const response = await server.fetch(
      new Request(url(fill(step.path, vars) as string, fixture.query), {
        method: step.method,
        headers: {
          accept: "application/scim+json",
          "content-type": "application/scim+json",
          ...fixture.headers,
          authorization: `Bearer ${token}`,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    const text = await response.text();
    const answer: unknown = text ? JSON.parse(text) : undefined;
    const statuses = typeof step.expect.status === "number" ? [step.expect.status] : step.expect.status;
    expect(statuses, `${label}: status ${response.status} ${text.slice(0, 300)}`).toContain(response.status);
    if (step.expect.body !== undefined) expect(answer, label).toMatchObject(fill(step.expect.body, vars) as object);
    for (const path of step.expect.absent ?? [])
      expect(at(answer, path), `${label}: ${path} should be absent`).toBeUndefined();
    if (step.expect.members) {
      const members = (at(answer, "members") as { value: string }[] | undefined) ?? [];
      const expected = (fill([...step.expect.members], vars) as string[]).sort();
      expect(members.map((m) => m.value).sort(), `${label}: members`).toEqual(expected);
    }
    if (step.expect.tolerances) {
      const entries = await server.audit(tenantId, { limit: 1000 });
      expect(entries.at(-1)?.tolerances, `${label}: tolerances recorded`).toEqual(
        expect.arrayContaining([...step.expect.tolerances]),
      );
    }
    for (const [name, path] of Object.entries(step.save ?? {})) {
      const value = at(answer, path);
      expect(typeof value, `${label}: saving ${name} from ${path}`).toBe("string");
      vars.set(name, value as string);
    }
  }
  await server.close();
}
