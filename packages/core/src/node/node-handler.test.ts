import { request as httpRequest, type IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { nodeHandler, type NodeErrorContext } from "./node-handler.js";
import { listen, rawRequest, type TestServer } from "./test-server.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const errorSchema = "urn:ietf:params:scim:api:messages:2.0:Error";

/** A fetch that answers with what it received. */
const echo = async (request: Request) =>
  new Response(JSON.stringify({ url: request.url, method: request.method, body: await request.text() }), {
    status: 200,
    headers: { "content-type": "application/scim+json" },
  });

/** Starts an upload and resolves with the answer, writing `chunk` until the server answers or `limit` is sent. */
function upload(port: number, headers: Record<string, string>, chunk: Buffer, limit: number) {
  return new Promise<{ res: IncomingMessage; sent: number; body: string }>((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = httpRequest({ host: "127.0.0.1", port, method: "POST", path: "/scim/v2/Users", headers }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ res, sent, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", (e) => (answered ? undefined : reject(e)));
    const pump = () => {
      if (answered || sent >= limit) return;
      sent += chunk.length;
      req.write(chunk, () => setTimeout(pump, 1));
    };
    pump();
  });
}

describe("nodeHandler", () => {
  it("serves a Web fetch from a real Node server", async () => {
    server = await listen(nodeHandler(echo));
    const res = await fetch(`${server.origin}/scim/v2/Users?count=2`, {
      method: "PATCH",
      headers: { "content-type": "application/scim+json" },
      body: '{"Operations":[]}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/scim+json");
    expect(await res.json()).toEqual({
      url: `${server.origin}/scim/v2/Users?count=2`,
      method: "PATCH",
      body: '{"Operations":[]}',
    });
  });

  it("calls a server's fetch as a method", async () => {
    const target = {
      prefix: "from-this",
      async fetch(this: { prefix: string }, _request: Request) {
        return new Response(this.prefix);
      },
    };
    server = await listen(nodeHandler(target));
    expect(await (await fetch(server.origin)).text()).toBe("from-this");
  });

  it("answers 413 with a SCIM error at once when Content-Length declares too much", async () => {
    let called = false;
    server = await listen(nodeHandler(async () => ((called = true), new Response()), { maxBodyBytes: 1024 }));
    // Only 16 bytes of the declared 10 MiB are ever sent: the answer cannot wait for the body.
    const { res, body } = await upload(
      server.port,
      { "content-type": "application/scim+json", "content-length": String(10 * 1024 * 1024) },
      Buffer.alloc(16, 32),
      16,
    );
    expect(res.statusCode).toBe(413);
    expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
    expect(res.headers.connection).toBe("close");
    expect(JSON.parse(body)).toEqual({
      schemas: [errorSchema],
      status: "413",
      detail: expect.stringContaining("1024"),
    });
    expect(called).toBe(false);
  });

  it("answers 413 to a chunked upload as soon as it passes the cap, before the client sent it all", async () => {
    server = await listen(nodeHandler(echo, { maxBodyBytes: 256 * 1024 }));
    const limit = 16 * 1024 * 1024;
    const { res, sent, body } = await upload(
      server.port,
      { "content-type": "application/json" },
      Buffer.alloc(16 * 1024, 32),
      limit,
    );
    expect(res.statusCode).toBe(413);
    expect((JSON.parse(body) as { status: string }).status).toBe("413");
    expect(sent).toBeLessThan(limit / 4);
  });

  it("answers 400 with a SCIM error for a malformed Host", async () => {
    server = await listen(nodeHandler(echo));
    const res = await rawRequest(server.port, { path: "/scim/v2/Users", headers: { host: "a b" } });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ schemas: [errorSchema], status: "400" });
  });

  it("answers 500 with a generic SCIM error when fetch throws, and logs only method and path", async () => {
    const logged: Array<{ error: unknown; context: NodeErrorContext }> = [];
    server = await listen(
      nodeHandler(
        async () => {
          throw new Error("connection to db-7 refused");
        },
        { onError: (error, context) => logged.push({ error, context }) },
      ),
    );
    const res = await fetch(`${server.origin}/scim/v2/Users?filter=userName%20eq%20%22secret%40example.com%22`, {
      method: "POST",
      headers: { authorization: "Bearer s3cr3t", "content-type": "application/scim+json" },
      body: '{"password":"hunter2"}',
    });
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({ schemas: [errorSchema], status: "500" });
    expect(body).not.toContain("db-7");
    expect(logged).toHaveLength(1);
    expect(logged[0]?.context).toEqual({ method: "POST", path: "/scim/v2/Users" });
    expect(JSON.stringify(logged[0]?.context)).not.toMatch(/s3cr3t|hunter2|secret@/);
  });

  it("aborts the Web request's signal when the client disconnects while fetch is running", async () => {
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    let aborted: (value: boolean) => void = () => undefined;
    const wasAborted = new Promise<boolean>((resolve) => (aborted = resolve));
    const logged: unknown[] = [];
    server = await listen(
      nodeHandler(
        (request) =>
          new Promise<Response>((_resolve, reject) => {
            request.signal.addEventListener("abort", () => {
              aborted(true);
              reject(new Error("aborted"));
            });
            started();
          }),
        { onError: (e) => logged.push(e) },
      ),
    );
    const client = httpRequest({ host: "127.0.0.1", port: server.port, method: "POST", path: "/scim/v2/Users" });
    client.on("error", () => undefined);
    client.end('{"userName":"x"}');
    await running;
    client.destroy();
    await expect(wasAborted).resolves.toBe(true);
    // A disconnect is the client's doing, not a server fault worth logging.
    await new Promise((r) => setTimeout(r, 20));
    expect(logged).toEqual([]);
  });
});
