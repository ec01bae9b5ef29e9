import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { listen, rawRequest, type TestServer } from "./test-server.js";
import { toWebRequest, type NodeRequest, type ToWebRequestOptions } from "./to-web-request.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Seen {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** A server that converts each request and answers with what the Web request holds. */
async function echo(prepare: (req: NodeRequest) => Promise<ToWebRequestOptions> | ToWebRequestOptions = () => ({})) {
  server = await listen(async (req: IncomingMessage, res: ServerResponse) => {
    const options = await prepare(req);
    try {
      const request = await toWebRequest(req, options);
      const seen: Seen = {
        url: request.url,
        method: request.method,
        headers: Object.fromEntries(request.headers),
        body: await request.text(),
      };
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(seen));
    } catch (error) {
      const e = error as { status?: number; detail?: string };
      res.statusCode = e.status ?? 500;
      res.end(e.detail ?? String(error));
    }
  });
  return server;
}

async function consume(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

describe("toWebRequest", () => {
  it("reads an application/scim+json body and keeps method, headers and query string intact", async () => {
    const { origin } = await echo();
    const body = JSON.stringify({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "ada@example.com",
    });
    const res = await fetch(
      `${origin}/scim/v2/Users?filter=userName%20eq%20%22ada%40example.com%22&startIndex=1&count=2`,
      {
        method: "POST",
        headers: {
          "content-type": "application/scim+json; charset=utf-8",
          authorization: "Bearer t0k3n",
          "x-custom": "a",
        },
        body,
      },
    );
    const seen = (await res.json()) as Seen;
    expect(seen.method).toBe("POST");
    expect(seen.url).toBe(
      `${origin}/scim/v2/Users?filter=userName%20eq%20%22ada%40example.com%22&startIndex=1&count=2`,
    );
    expect(seen.headers["content-type"]).toBe("application/scim+json; charset=utf-8");
    expect(seen.headers.authorization).toBe("Bearer t0k3n");
    expect(seen.headers["x-custom"]).toBe("a");
    expect(seen.headers["content-length"]).toBe(String(Buffer.byteLength(body)));
    expect(seen.body).toBe(body);
  });

  it("uses originalUrl so a path stripped by a mount stays in the URL", async () => {
    const { origin } = await echo((req) => {
      req.originalUrl = req.url;
      req.url = "/Users?count=1";
      return {};
    });
    const seen = (await (await fetch(`${origin}/scim/v2/Users?count=1`)).json()) as Seen;
    expect(seen.url).toBe(`${origin}/scim/v2/Users?count=1`);
  });

  it("prefers the url option over originalUrl", async () => {
    const { origin } = await echo(() => ({ url: "/mounted/scim/v2/Groups?x=1" }));
    const seen = (await (await fetch(`${origin}/Groups`)).json()) as Seen;
    expect(seen.url).toBe(`${origin}/mounted/scim/v2/Groups?x=1`);
  });

  it("keeps a path starting with two slashes on the request's own host", async () => {
    const { port } = await echo();
    const res = await rawRequest(port, { path: "//evil.example/scim/v2/Users" });
    expect((JSON.parse(res.body) as Seen).url).toBe(`http://127.0.0.1:${port}//evil.example/scim/v2/Users`);
  });

  it("ignores X-Forwarded-Proto and X-Forwarded-Host unless trustProxy is on", async () => {
    const forwarded = { "x-forwarded-proto": "https", "x-forwarded-host": "idp-facing.example.com, inner" };
    const { port } = await echo((req) => ({ trustProxy: req.headers["x-trust"] === "yes" }));
    const untrusted = await rawRequest(port, { path: "/scim/v2/Users", headers: forwarded });
    expect((JSON.parse(untrusted.body) as Seen).url).toBe(`http://127.0.0.1:${port}/scim/v2/Users`);
    const trusted = await rawRequest(port, { path: "/scim/v2/Users", headers: { ...forwarded, "x-trust": "yes" } });
    expect((JSON.parse(trusted.body) as Seen).url).toBe("https://idp-facing.example.com/scim/v2/Users");
  });

  it("rejects a Host header that is not a host name with a 400", async () => {
    const { port } = await echo();
    const res = await rawRequest(port, { path: "/scim/v2/Users", headers: { host: "evil.example/steal?" } });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/Host/);
  });

  it("re-serialises a JSON body a middleware already parsed and consumed", async () => {
    const { origin } = await echo(async (req) => {
      req.body = JSON.parse(await consume(req)) as unknown;
      return {};
    });
    const res = await fetch(`${origin}/scim/v2/Users`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userName: "bob", active: true }, null, 8),
    });
    const seen = (await res.json()) as Seen;
    expect(JSON.parse(seen.body)).toEqual({ userName: "bob", active: true });
    expect(seen.headers["content-length"]).toBe(String(Buffer.byteLength(seen.body)));
  });

  it.each([
    ["string", (text: string): unknown => `${text}!`],
    ["Buffer", (text: string): unknown => Buffer.from(`${text}!`)],
  ])("passes a raw %s body a middleware left in req.body unchanged", async (_kind, keep) => {
    const { origin } = await echo(async (req) => ({ parsedBody: keep(await consume(req)) }));
    const seen = (await (await fetch(`${origin}/x`, { method: "PUT", body: "raw text" })).json()) as Seen;
    expect(seen.body).toBe("raw text!");
  });

  it("keeps every value of a repeated request header", async () => {
    const { port } = await echo();
    const res = await rawRequest(port, {
      path: "/x",
      headers: { "x-multi": ["a", "b"], accept: "application/scim+json" },
    });
    const seen = JSON.parse(res.body) as Seen;
    expect(seen.headers["x-multi"]).toBe("a, b");
    expect(seen.headers.accept).toBe("application/scim+json");
  });

  it("reads the stream itself when a middleware set req.body but left the stream unread", async () => {
    // Express 4's json parser sets `req.body = {}` for media types it skips, such as scim+json.
    const { origin } = await echo((req) => {
      req.body = {};
      return {};
    });
    const res = await fetch(`${origin}/scim/v2/Users`, {
      method: "POST",
      headers: { "content-type": "application/scim+json" },
      body: '{"userName":"carol"}',
    });
    expect(((await res.json()) as Seen).body).toBe('{"userName":"carol"}');
  });

  it("gives GET requests no body", async () => {
    const { origin } = await echo();
    const seen = (await (await fetch(`${origin}/scim/v2/Users`)).json()) as Seen;
    expect(seen.method).toBe("GET");
    expect(seen.body).toBe("");
  });

  it("rejects a parsed body larger than the cap", async () => {
    const { origin } = await echo(async (req) => {
      req.body = JSON.parse(await consume(req)) as unknown;
      return { maxBodyBytes: 10 };
    });
    const res = await fetch(`${origin}/x`, { method: "POST", body: JSON.stringify({ userName: "long enough" }) });
    expect(res.status).toBe(413);
  });

  it("aborts the request signal when the client disconnects before the answer", async () => {
    let aborted: Promise<void> | undefined;
    let entered: () => void = () => undefined;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    server = await listen(async (req, res) => {
      const request = await toWebRequest(req);
      aborted = new Promise((resolve) => request.signal.addEventListener("abort", () => resolve()));
      entered();
      await aborted;
      res.end();
    });
    const { request } = await import("node:http");
    const client = request({ host: "127.0.0.1", port: server.port, path: "/scim/v2/Users" });
    client.on("error", () => undefined);
    client.end();
    await inHandler;
    client.destroy();
    await expect(aborted).resolves.toBeUndefined();
  });

  it("leaves the signal of a keep-alive connection's answered requests alone and adds no listener per request", async () => {
    const signals: AbortSignal[] = [];
    let listeners = 0;
    const sockets = new Set<unknown>();
    server = await listen(async (req, res) => {
      sockets.add(req.socket);
      signals.push((await toWebRequest(req)).signal);
      listeners = req.socket.listenerCount("close");
      res.end("ok");
    });
    const { Agent } = await import("node:http");
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const counts: number[] = [];
    for (let i = 0; i < 12; i++) {
      await rawRequest(server.port, { path: "/scim/v2/Users", agent });
      counts.push(listeners);
    }
    expect(sockets.size).toBe(1);
    expect(new Set(counts).size).toBe(1);
    expect(signals.every((s) => !s.aborted)).toBe(true);
    agent.destroy();
  });
});
