/**
 * The memory store keeps a unit of work's log rows as core hands them over and copies on every read
 * instead. So nothing a host is handed (a delivered event, an event or audit entry read back) may
 * be a way into the log or into the stored user: changing it changes only the host's copy.
 */
import { describe, expect, it } from "vitest";
import type { ScimEvent } from "../../src/index.js";
import { harness, user } from "../support.js";

type Mutable = { [key: string]: unknown };
const scramble = (value: unknown): void => {
  if (value === null || typeof value !== "object") return;
  for (const [k, v] of Object.entries(value as Mutable)) {
    if (typeof v === "string") (value as Mutable)[k] = "changed by the host";
    else scramble(v);
  }
};

describe("log rows and what hosts are handed", () => {
  it("keeps the log and the user as written when a handler changes the event it was handed", async () => {
    const h = await harness();
    const delivered: ScimEvent[] = [];
    h.server.events.subscribe((e) => {
      delivered.push(structuredClone(e));
      scramble(e);
    });
    const created = await h.call("POST", "/Users", {
      ...user("ada@example.com"),
      name: { givenName: "Ada", familyName: "Lovelace" },
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(delivered.map((e) => e.type)).toEqual(["user.created"]);

    const stored = (await h.server.events.read("acme")).find((e) => e.type === "user.created");
    expect(stored).toEqual(delivered[0]);
    const read = await h.call("GET", `/Users/${created.body.id}`);
    expect(read.body.name).toEqual({ givenName: "Ada", familyName: "Lovelace" });
    expect(read.body.userName).toBe("ada@example.com");
  });

  it("keeps the log as written when a reader changes the entries it read", async () => {
    const h = await harness();
    const created = await h.call("POST", "/Users", { ...user("ada@example.com"), name: { givenName: "Ada" } });
    await h.call("PATCH", `/Users/${created.body.id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "name.givenName", value: "Augusta" }],
    });
    const audit = await h.server.audit("acme");
    const events = await h.server.events.read("acme");
    const before = structuredClone({ audit, events });
    scramble(audit);
    scramble(events);
    expect({ audit: await h.server.audit("acme"), events: await h.server.events.read("acme") }).toEqual(before);
    expect((await h.call("GET", `/Users/${created.body.id}`)).body.name).toEqual({ givenName: "Augusta" });
  });
});
