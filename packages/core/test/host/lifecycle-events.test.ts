/**
 * The payloads of the event types the SCIM write tests leave out: a directory updated or deleted,
 * tokens revoked or rotated through the host's admin calls, and a user reactivated. Each test reads
 * the events one call produced (the outbox after the cursor it started from) and asserts their
 * order, ids and facts, and that no token secret or digest is among them.
 */
import { describe, expect, it } from "vitest";
import type { ScimEvent } from "../../src/index.js";
import type { DirectoryEvent, UserChangedEvent } from "../../src/events/outbox.js";
import { digestToken } from "../../src/directories/tokens.js";
import { BASE, harness, user, type Harness } from "../support.js";

const patchOp = (...ops: unknown[]) => ({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations: ops,
});

/** The events `act` produced, read from the outbox and as delivered to a subscriber. */
async function eventsOf(h: Harness, tenantId: string, act: () => Promise<unknown>) {
  const before = await h.server.events.read(tenantId, { limit: 1000 });
  const after = before.at(-1)?.seq ?? 0;
  const delivered: ScimEvent[] = [];
  const stop = h.server.events.subscribe((e) => void delivered.push(e));
  await act();
  // Delivery runs after commit, on its own queue.
  await new Promise((r) => setTimeout(r, 10));
  stop();
  const read = await h.server.events.read(tenantId, { after, limit: 1000 });
  return { read, delivered };
}

/** The fields every lifecycle event of a host admin call carries. */
const lifecycle = (type: string, directoryId: string, tenantId: string, facts: Record<string, unknown>) => ({
  type,
  tenantId,
  directoryId,
  tokenId: null,
  resourceType: null,
  resourceId: null,
  facts,
  // Lifecycle events keep their facts in `facts`; `data` is for the compact diff of resource events.
  data: {},
  id: expect.any(String),
  seq: expect.any(Number),
  at: expect.any(String),
});

describe("directory and token lifecycle event payloads", () => {
  it("directory.updated names the fields the call changed", async () => {
    const h = await harness({ tenantId: "t-dir-upd" });
    const { read, delivered } = await eventsOf(h, "t-dir-upd", () =>
      h.server.directories.update(h.directoryId, { name: "Okta (prod)", enabled: false }),
    );
    expect(read).toEqual([lifecycle("directory.updated", h.directoryId, "t-dir-upd", { fields: "name,enabled" })]);
    // The subscriber hears the very event the outbox holds, with the same idempotency key.
    expect(delivered).toEqual(read);

    // enable() is an update of one field, and says so.
    const again = await eventsOf(h, "t-dir-upd", () => h.server.directories.enable(h.directoryId));
    expect(again.read.map((e) => [e.type, (e as DirectoryEvent).facts])).toEqual([
      ["directory.updated", { fields: "enabled" }],
    ]);
    expect(again.read[0]?.seq).toBeGreaterThan(read[0]?.seq ?? Number.POSITIVE_INFINITY);
  });

  it("directory.deleted comes after the deletions it caused, with their counts", async () => {
    const h = await harness({ tenantId: "t-dir-del" });
    const ada = (await h.call("POST", "/Users", user("ada@example.com"))).body.id as string;
    const g = (await h.call("POST", "/Groups", { displayName: "Eng", members: [{ value: ada }] })).body.id as string;
    const { read, delivered } = await eventsOf(h, "t-dir-del", () =>
      h.server.directories.delete(h.directoryId, { resources: "delete" }),
    );
    // Groups go first, so the user's deletion names no group that is already gone.
    expect(read.map((e) => [e.type, e.resourceType, e.resourceId])).toEqual([
      ["group.deleted", "Group", g],
      ["user.deleted", "User", ada],
      ["directory.deleted", null, null],
    ]);
    expect(read.at(-1)).toEqual(
      lifecycle("directory.deleted", h.directoryId, "t-dir-del", { resources: "delete", deleted: 2, detached: 0 }),
    );
    const seqs = read.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(read.map((e) => e.id)).size).toBe(read.length);
    expect(delivered).toEqual(read);
    // The directory's tokens went with it; neither the secret nor its stored digest is in any event.
    expect(JSON.stringify(read)).not.toContain(h.token);
    expect(JSON.stringify(read)).not.toContain(digestToken(h.token));
  });

  it("directory.deleted keeping the resources counts those it detached and deletes none", async () => {
    const h = await harness({ tenantId: "t-dir-keep" });
    await h.call("POST", "/Users", user("ada@example.com"));
    await h.call("POST", "/Users", user("bo@example.com"));
    await h.call("POST", "/Groups", { displayName: "Eng" });
    const { read } = await eventsOf(h, "t-dir-keep", () =>
      h.server.directories.delete(h.directoryId, { resources: "keep" }),
    );
    expect(read).toEqual([
      lifecycle("directory.deleted", h.directoryId, "t-dir-keep", { resources: "keep", deleted: 0, detached: 3 }),
    ]);
  });

  it("token.revoked names the token (or all) and how many were revoked, never a secret", async () => {
    const h = await harness({ tenantId: "t-tok-rev" });
    const first = await h.server.directories.mintToken(h.directoryId, { overlapSeconds: 600 });
    const second = await h.server.directories.mintToken(h.directoryId, { overlapSeconds: 600 });

    const one = await eventsOf(h, "t-tok-rev", () => h.server.directories.revokeToken(h.directoryId, first.tokenId));
    expect(one.read).toEqual([
      lifecycle("token.revoked", h.directoryId, "t-tok-rev", { tokenId: first.tokenId, count: 1 }),
    ]);
    expect(one.delivered).toEqual(one.read);

    // The harness's token and `second` are still live: revoking all revokes those two.
    const all = await eventsOf(h, "t-tok-rev", () => h.server.directories.revokeToken(h.directoryId));
    expect(all.read).toEqual([lifecycle("token.revoked", h.directoryId, "t-tok-rev", { tokenId: "all", count: 2 })]);
    expect(all.read[0]?.seq).toBeGreaterThan(one.read[0]?.seq ?? Number.POSITIVE_INFINITY);

    // A revocation that finds nothing left to revoke still says what was asked, with a count of 0.
    const none = await eventsOf(h, "t-tok-rev", () => h.server.directories.revokeToken(h.directoryId));
    expect(none.read).toEqual([lifecycle("token.revoked", h.directoryId, "t-tok-rev", { tokenId: "all", count: 0 })]);

    const text = JSON.stringify([...(await h.server.events.read("t-tok-rev")), ...(await h.server.audit("t-tok-rev"))]);
    for (const secret of [h.token, first.token, second.token]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(digestToken(secret));
    }
  });

  it("a rotation is one token.minted with the new token's id and the overlap, never its secret", async () => {
    const h = await harness({ tenantId: "t-tok-rot" });
    let rotated: { token: string; tokenId: string } | undefined;
    const { read, delivered } = await eventsOf(h, "t-tok-rot", async () => {
      rotated = await h.server.directories.rotateToken(h.directoryId, "https://app.example.com/scim/v2", {
        overlapSeconds: 300,
      });
    });
    expect(read).toEqual([
      lifecycle("token.minted", h.directoryId, "t-tok-rot", { tokenId: rotated?.tokenId, overlapSeconds: 300 }),
    ]);
    expect(delivered).toEqual(read);
    expect(JSON.stringify(read)).not.toContain(rotated?.token);
    expect(JSON.stringify(read)).not.toContain(digestToken(rotated?.token ?? ""));
  });
  it("a mint without overlap revokes the live tokens on the spot and says so first, naming the new token", async () => {
    const h = await harness({ tenantId: "t-tok-new" });
    const second = await h.server.directories.mintToken(h.directoryId, { overlapSeconds: 600 });
    let minted: { token: string; tokenId: string } | undefined;
    const { read, delivered } = await eventsOf(h, "t-tok-new", async () => {
      minted = await h.server.directories.mintToken(h.directoryId);
    });
    expect(read).toEqual([
      lifecycle("token.revoked", h.directoryId, "t-tok-new", {
        tokenId: "all",
        count: 2,
        replacedBy: minted?.tokenId,
      }),
      lifecycle("token.minted", h.directoryId, "t-tok-new", { tokenId: minted?.tokenId, overlapSeconds: 0 }),
    ]);
    expect(delivered).toEqual(read);
    // The revocation is real: both earlier tokens are refused, the new one accepted.
    const probe = (token: string) =>
      h.server.fetch(new Request(`${BASE}/Users?count=0`, { headers: { authorization: `Bearer ${token}` } }));
    expect((await probe(h.token)).status).toBe(401);
    expect((await probe(second.token)).status).toBe(401);
    expect((await probe(minted?.token ?? "")).status).toBe(200);
  });
});

describe("user.reactivated", () => {
  it("follows the user.updated of the same PATCH, with the user active again and only `active` changed", async () => {
    const h = await harness({ tenantId: "t-react" });
    const id = (await h.call("POST", "/Users", user("ada@example.com"))).body.id as string;
    await h.call("PATCH", `/Users/${id}`, patchOp({ op: "replace", path: "active", value: false }));
    const { read, delivered } = await eventsOf(h, "t-react", () =>
      h.call(
        "PATCH",
        `/Users/${id}`,
        patchOp({ op: "replace", path: "active", value: true }, { op: "replace", path: "title", value: "Countess" }),
      ),
    );
    expect(read.map((e) => e.type)).toEqual(["user.updated", "user.reactivated"]);
    const [updated, reactivated] = read as UserChangedEvent[];
    expect(updated?.changed).toEqual(["title"]);
    expect(reactivated).toMatchObject({
      type: "user.reactivated",
      tenantId: "t-react",
      directoryId: h.directoryId,
      tokenId: expect.stringMatching(/^tok_/),
      resourceType: "User",
      resourceId: id,
      changed: ["active"],
      user: { id, userName: "ada@example.com", active: true, directoryId: h.directoryId },
    });
    expect(reactivated?.user.attributes).toMatchObject({ title: "Countess", active: true });
    expect(reactivated?.id).toEqual(expect.any(String));
    expect(reactivated?.seq).toBeGreaterThan(updated?.seq ?? Number.POSITIVE_INFINITY);
    expect(delivered).toEqual(read);

    // A PATCH that only reactivates brings no user.updated with it.
    await h.call("PATCH", `/Users/${id}`, patchOp({ op: "replace", path: "active", value: false }));
    const alone = await eventsOf(h, "t-react", () =>
      h.call("PATCH", `/Users/${id}`, patchOp({ op: "replace", value: { active: true } })),
    );
    expect(alone.read.map((e) => e.type)).toEqual(["user.reactivated"]);
  });
});
