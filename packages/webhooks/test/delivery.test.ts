/**
 * Webhook delivery against endpoints on 127.0.0.1: Standard Webhooks signatures the
 * `standardwebhooks` verifier accepts, retries with exponential backoff, parking, disabling after
 * sustained failure (and resuming from the cursor), secret rotation, and the delivery log.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { createScimServer, type ScimServer } from "@scimkit/core";
import {
  createWebhookDelivery,
  generateWebhookSecret,
  type EndpointStatus,
  type WebhookDelivery,
  type WebhookDeliveryOptions,
} from "../src/index.js";

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

/** An endpoint on 127.0.0.1 that records each request and answers what `answer` says. */
async function endpoint(answer: (r: Received, n: number) => number = () => 204) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() };
      received.push(r);
      res.statusCode = answer(r, received.length);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  servers.push(server);
  return { url: `http://127.0.0.1:${port}/hooks`, received };
}

const servers: Server[] = [];
const deliveries: WebhookDelivery[] = [];
afterEach(async () => {
  await Promise.all(deliveries.splice(0).map((d) => d.stop()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const until = async (what: string, check: () => boolean, timeoutMs = 10_000) => {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

const fast = { backoff: { initialMs: 30, factor: 2 }, pollMs: 20 } as const;

function deliver(scim: ScimServer, options: WebhookDeliveryOptions): WebhookDelivery {
  const d = createWebhookDelivery(scim, options);
  deliveries.push(d);
  return d;
}

const typeOf = (r: Received) => (JSON.parse(r.body) as { type: string }).type;
const headersOf = (r: Received) => ({
  "webhook-id": String(r.headers["webhook-id"]),
  "webhook-timestamp": String(r.headers["webhook-timestamp"]),
  "webhook-signature": String(r.headers["webhook-signature"]),
});

describe("webhook delivery", () => {
  it("posts each event signed per Standard Webhooks: the event id, a fresh timestamp, a signature the standardwebhooks verifier accepts", async () => {
    const secret = generateWebhookSecret();
    const hook = await endpoint();
    const scim = createScimServer();
    deliver(scim, { endpoints: [{ id: "crm", url: hook.url, secrets: [secret] }], ...fast });
    const dir = await scim.directories.create({ tenantId: "acme", name: "Okta" });
    const { token } = await scim.directories.mintToken(dir.id);
    const res = await scim.fetch(
      new Request("https://app.example.com/scim/v2/Users", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
        body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "ada@example.com" }),
      }),
    );
    expect(res.status).toBe(201);
    await until("three deliveries", () => hook.received.length >= 3);
    expect(hook.received.map(typeOf)).toEqual(["directory.created", "token.minted", "user.created"]);
    const events = await scim.events.read("acme");
    for (const [i, r] of hook.received.entries()) {
      const payload = new Webhook(secret).verify(r.body, headersOf(r)) as {
        type: string;
        timestamp: string;
        data: { id: string; tenantId: string };
      };
      expect(r.headers["webhook-id"]).toBe(events[i]?.id);
      expect(payload.data.id).toBe(events[i]?.id);
      expect(payload.data.tenantId).toBe("acme");
      expect(payload.timestamp).toBe(events[i]?.at);
      expect(Math.abs(Number(r.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(5);
      expect(r.headers["content-type"]).toBe("application/json");
    }
    const created = JSON.parse(hook.received[2]?.body ?? "{}") as { data: { user: { userName: string } } };
    expect(created.data.user.userName).toBe("ada@example.com");
    // Another key does not verify it.
    const [first] = hook.received;
    if (!first) throw new Error("nothing received");
    expect(() => new Webhook(generateWebhookSecret()).verify(first.body, headersOf(first))).toThrow();
  });

  it("retries a failing delivery with exponential backoff and logs every attempt", async () => {
    const hook = await endpoint((_, n) => (n <= 2 ? 500 : 200));
    const scim = createScimServer();
    const d = deliver(scim, {
      endpoints: [{ id: "flaky", url: hook.url, secrets: [generateWebhookSecret()] }],
      ...fast,
    });
    await scim.directories.create({ tenantId: "acme", name: "Okta" });
    await until("delivered", () => d.log("flaky").some((a) => a.ok));
    const log = d.log("flaky").reverse();
    expect(log.map((a) => [a.attempt, a.ok, a.status, a.error])).toEqual([
      [1, false, 500, "http_500"],
      [2, false, 500, "http_500"],
      [3, true, 200, null],
    ]);
    expect(new Set(hook.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    const [t1 = 0, t2 = 0, t3 = 0] = hook.received.map((r) => r.at);
    expect(t2 - t1).toBeGreaterThanOrEqual(25);
    expect(t3 - t2).toBeGreaterThanOrEqual(55);
    expect(d.endpoints()[0]).toMatchObject({ state: "active", failures: 0, failingSince: null });
  });

  it("parks an event its endpoint keeps refusing, and goes on with the next", async () => {
    const hook = await endpoint((r) => (typeOf(r) === "token.minted" ? 422 : 204));
    const scim = createScimServer();
    const d = deliver(scim, {
      endpoints: [{ id: "picky", url: hook.url, secrets: [generateWebhookSecret()] }],
      maxTries: 3,
      ...fast,
    });
    const dir = await scim.directories.create({ tenantId: "acme", name: "Okta" });
    await scim.directories.mintToken(dir.id);
    await scim.directories.update(dir.id, { name: "Okta EU" });
    await until("the update delivered", () => hook.received.some((r) => typeOf(r) === "directory.updated"));
    const parked = await scim.events.parked("acme", "webhooks.picky");
    expect(parked).toEqual([expect.objectContaining({ type: "token.minted", tries: 3, error: "http_422" })]);
    expect(hook.received.map(typeOf)).toEqual([
      "directory.created",
      "token.minted",
      "token.minted",
      "token.minted",
      "directory.updated",
    ]);
    expect(d.log("picky").filter((a) => !a.ok)).toHaveLength(3);
  });

  it("disables an endpoint after sustained failure, and resumes from where it stopped when enabled", async () => {
    let healthy = false;
    const hook = await endpoint(() => (healthy ? 204 : 503));
    const scim = createScimServer();
    const disabled: EndpointStatus[] = [];
    const d = deliver(scim, {
      endpoints: [{ id: "down", url: hook.url, secrets: [generateWebhookSecret()] }],
      disableAfter: { failures: 3, ms: 0 },
      maxTries: 100,
      onDisabled: (s) => void disabled.push(s),
      ...fast,
    });
    await scim.directories.create({ tenantId: "acme", name: "Okta" });
    await until("disabled", () => disabled.length > 0);
    expect(disabled[0]).toMatchObject({ id: "down", state: "disabled", disabledReason: "failing", failures: 3 });
    const tries = hook.received.length;
    await scim.directories.create({ tenantId: "acme", name: "Entra" });
    await new Promise((r) => setTimeout(r, 150));
    expect(hook.received.length).toBe(tries);
    expect((await scim.events.lag("webhooks.down")).total).toBe(2);

    healthy = true;
    d.enable("down");
    await until(
      "both delivered",
      () => hook.received.filter((r) => r.headers["webhook-id"] !== undefined).length >= tries + 2,
    );
    expect(hook.received.slice(tries).map(typeOf)).toEqual(["directory.created", "directory.created"]);
    expect(d.endpoints()[0]).toMatchObject({ state: "active", failures: 0 });
    // Acknowledged once the batch is done.
    let lag = 1;
    for (const end = Date.now() + 5000; lag > 0 && Date.now() < end; await new Promise((r) => setTimeout(r, 10))) {
      lag = (await scim.events.lag("webhooks.down")).total;
    }
    expect(lag).toBe(0);
  });

  it("disables an endpoint that answers 410 Gone at once", async () => {
    const hook = await endpoint(() => 410);
    const scim = createScimServer();
    const d = deliver(scim, {
      endpoints: [{ id: "gone", url: hook.url, secrets: [generateWebhookSecret()] }],
      ...fast,
    });
    await scim.directories.create({ tenantId: "acme", name: "Okta" });
    await until("disabled", () => d.endpoints()[0]?.state === "disabled");
    expect(d.endpoints()[0]?.disabledReason).toBe("gone");
    expect(hook.received).toHaveLength(1);
  });

  it("signs with the old and the new secret while a rotation overlaps, then with the new one alone", async () => {
    const [old, next] = [generateWebhookSecret(), generateWebhookSecret()];
    const hook = await endpoint();
    const scim = createScimServer();
    const d = deliver(scim, { endpoints: [{ id: "rot", url: hook.url, secrets: [old] }], ...fast });
    await scim.directories.create({ tenantId: "a", name: "A" });
    await until("first", () => hook.received.length >= 1);
    d.rotateSecret("rot", next, { overlapMs: 300 });
    expect(d.endpoints()[0]?.activeSecrets).toBe(2);
    await scim.directories.create({ tenantId: "a", name: "B" });
    await until("second", () => hook.received.length >= 2);
    await new Promise((r) => setTimeout(r, 350));
    await scim.directories.create({ tenantId: "a", name: "C" });
    await until("third", () => hook.received.length >= 3);
    const [before, during, after] = hook.received as [Received, Received, Received];
    const verifies = (secret: string, r: Received) => {
      try {
        new Webhook(secret).verify(r.body, headersOf(r));
        return true;
      } catch {
        return false;
      }
    };
    expect([verifies(old, before), verifies(next, before)]).toEqual([true, false]);
    expect(String(during.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect([verifies(old, during), verifies(next, during)]).toEqual([true, true]);
    expect([verifies(old, after), verifies(next, after)]).toEqual([false, true]);
    expect(d.endpoints()[0]?.activeSecrets).toBe(1);
  });

  it("keeps endpoints apart, each with its tenants and types, one failing without holding back another", async () => {
    const down = await endpoint(() => 500);
    const up = await endpoint();
    const scim = createScimServer();
    const d = deliver(scim, {
      endpoints: [
        { id: "down", url: down.url, secrets: [generateWebhookSecret()] },
        { id: "up", url: up.url, secrets: [generateWebhookSecret()], tenants: ["acme"], types: ["directory.created"] },
      ],
      ...fast,
    });
    await scim.directories.create({ tenantId: "acme", name: "Okta" });
    await scim.directories.create({ tenantId: "other", name: "Okta" });
    const dir = await scim.directories.create({ tenantId: "acme", name: "Entra" });
    await scim.directories.mintToken(dir.id);
    await until("up delivered", () => up.received.length >= 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(up.received.map((r) => (JSON.parse(r.body) as { data: { tenantId: string; type: string } }).data)).toEqual([
      expect.objectContaining({ tenantId: "acme", type: "directory.created" }),
      expect.objectContaining({ tenantId: "acme", type: "directory.created" }),
    ]);
    expect(down.received.length).toBeGreaterThan(0);
    expect(d.log("up").every((a) => a.ok)).toBe(true);
    // The log holds no body, header or secret.
    expect(JSON.stringify(d.log())).not.toMatch(/whsec_|Okta|v1,/);
  });

  it("refuses endpoints it cannot use", () => {
    const scim = createScimServer();
    const secret = generateWebhookSecret();
    const bad: WebhookDeliveryOptions["endpoints"][] = [
      [{ id: "plain", url: "http://crm.example.com/hooks", secrets: [secret] }],
      [{ id: "nosecret", url: "https://crm.example.com/hooks", secrets: [] }],
      [{ id: "badsecret", url: "https://crm.example.com/hooks", secrets: ["hunter2"] }],
      [{ id: "bad id", url: "https://crm.example.com/hooks", secrets: [secret] }],
      [
        { id: "twice", url: "https://a.example.com", secrets: [secret] },
        { id: "twice", url: "https://b.example.com", secrets: [secret] },
      ],
    ];
    for (const endpoints of bad)
      expect(() => createWebhookDelivery(scim, { endpoints }), JSON.stringify(endpoints)).toThrow(TypeError);
    const d = createWebhookDelivery(scim, {
      endpoints: [{ id: "ok", url: "https://crm.example.com/hooks", secrets: [secret] }],
    });
    deliveries.push(d);
    expect(() => d.rotateSecret("ok", "hunter2")).toThrow(TypeError);
    expect(() => d.rotateSecret("missing", generateWebhookSecret())).toThrow(TypeError);
  });
});
