/**
 * The receiving example, end to end on 127.0.0.1: scimkit's deliveries verify; a tampered body, a
 * stale or future timestamp, a wrong secret or missing headers are refused; a rotation's overlap
 * is accepted with either secret; a repeated delivery is handled once.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { createScimServer } from "@scimkit/core";
import { createWebhookDelivery, generateWebhookSecret, signWebhook } from "@scimkit/webhooks";
import { createReceiver, type Delivery } from "../src/receiver.js";

const open: Server[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function receiver(secrets: string[]) {
  const delivered: Delivery[] = [];
  const server = createReceiver({ secrets, onDelivery: (d) => void delivered.push(d) });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  open.push(server);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const post = (body: string, headers: Record<string, string>) =>
    fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return { url, delivered, post };
}

const until = async (check: () => boolean) => {
  const end = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("the webhook receiver example", () => {
  it("accepts scimkit's signed deliveries of real SCIM changes", async () => {
    const secret = generateWebhookSecret();
    const r = await receiver([secret]);
    const scim = createScimServer();
    const delivery = createWebhookDelivery(scim, {
      endpoints: [{ id: "app", url: r.url, secrets: [secret] }],
      pollMs: 20,
    });
    const dir = await scim.directories.create({ tenantId: "acme", name: "Okta" });
    const { token } = await scim.directories.mintToken(dir.id);
    await scim.fetch(
      new Request("https://app.example.com/scim/v2/Users", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
        body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "ada@example.com" }),
      }),
    );
    await until(() => r.delivered.length >= 3);
    await delivery.stop();
    expect(r.delivered.map((d) => d.type)).toEqual(["directory.created", "token.minted", "user.created"]);
    expect(delivery.log().every((a) => a.ok && a.status === 204)).toBe(true);
  });

  it("refuses a tampered body, a stale or future timestamp, another secret and missing headers", async () => {
    const secret = generateWebhookSecret();
    const r = await receiver([secret]);
    const body = JSON.stringify({
      type: "user.created",
      timestamp: new Date().toISOString(),
      data: { id: "evt_1", tenantId: "acme", seq: 1 },
    });
    const now = new Date();
    const fresh = signWebhook([secret], "evt_1", now, body);

    // The body as sent, one character changed.
    const tampered = await r.post(body.replace("acme", "acmf"), { ...fresh });
    expect(tampered.status).toBe(401);
    expect(await tampered.text()).toMatch(/signature/i);

    // Signed correctly, ten minutes ago (beyond the five-minute tolerance) or ahead.
    const stale = await r.post(body, {
      ...signWebhook([secret], "evt_1", new Date(now.getTime() - 10 * 60_000), body),
    });
    expect(stale.status).toBe(401);
    expect(await stale.text()).toMatch(/too old/);
    const future = await r.post(body, {
      ...signWebhook([secret], "evt_1", new Date(now.getTime() + 10 * 60_000), body),
    });
    expect(future.status).toBe(401);

    // A stale timestamp with the header rewritten to now: the signature no longer matches.
    const restamped = await r.post(body, {
      ...signWebhook([secret], "evt_1", new Date(now.getTime() - 10 * 60_000), body),
      "webhook-timestamp": fresh["webhook-timestamp"],
    });
    expect(restamped.status).toBe(401);

    expect((await r.post(body, { ...signWebhook([generateWebhookSecret()], "evt_1", now, body) })).status).toBe(401);
    expect((await r.post(body, {})).status).toBe(401);
    expect(r.delivered).toEqual([]);

    // The genuine one goes through, once even when delivered again.
    expect((await r.post(body, { ...fresh })).status).toBe(204);
    expect((await r.post(body, { ...fresh })).status).toBe(204);
    expect(r.delivered).toHaveLength(1);
    // What the receiver checks is what standardwebhooks' verifier checks.
    expect(new Webhook(secret).verify(body, fresh)).toEqual(JSON.parse(body));
  });

  it("accepts a delivery signed during a rotation whichever of the two secrets it knows", async () => {
    const [old, next] = [generateWebhookSecret(), generateWebhookSecret()];
    const knowsOld = await receiver([old]);
    const knowsNew = await receiver([next]);
    const body = JSON.stringify({
      type: "user.updated",
      timestamp: new Date().toISOString(),
      data: { id: "evt_2", tenantId: "acme", seq: 2 },
    });
    const both = signWebhook([next, old], "evt_2", new Date(), body);
    expect((await knowsOld.post(body, { ...both })).status).toBe(204);
    expect((await knowsNew.post(body, { ...both })).status).toBe(204);
    expect((await knowsOld.post(body, { ...signWebhook([next], "evt_3", new Date(), body) })).status).toBe(401);
  });
});
