import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScimServer } from "../index.js";
import { nodeHandler } from "./node-handler.js";

describe("a body over the cap", () => {
  let server: Server;
  let base = "";
  let token = "";
  beforeAll(async () => {
    const scim = createScimServer({ maxBodyBytes: 512 * 1024 });
    const dir = await scim.directories.create({ tenantId: "t", name: "IdP" });
    token = (await scim.directories.mintToken(dir.id)).token;
    server = createServer(nodeHandler(scim, { maxBodyBytes: 512 * 1024 }));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("is answered with a 413 SCIM error that Node's fetch can read when it is a modest excess, declared or chunked", async () => {
    const big = JSON.stringify({ userName: "a@example.com", displayName: "x".repeat(1024 * 1024) });
    const declared = await fetch(`${base}/Users`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
      body: big,
    });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ status: "413" });
    const chunks = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 16; i++) c.enqueue(new TextEncoder().encode("x".repeat(64 * 1024)));
        c.close();
      },
    });
    const chunked = await fetch(`${base}/Users`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
      body: chunks,
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    // The server is still fine afterwards.
    expect(
      (await fetch(`${base}/ServiceProviderConfig`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
  });
});
