import { request as httpRequest, type IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { listen, rawRequest, type TestServer } from "./test-server.js";
import { writeWebResponse } from "./write-web-response.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function get(port: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: "/" }, resolve);
    req.on("error", reject);
    req.end();
  });
}

describe("writeWebResponse", () => {
  it("copies status, status text and every header value, keeping each Set-Cookie separate", async () => {
    server = await listen(async (_req, res) => {
      const headers = new Headers({ "content-type": "application/scim+json", etag: 'W/"3"' });
      headers.append("set-cookie", "a=1; Path=/");
      headers.append("set-cookie", "b=2; Path=/");
      headers.append("vary", "accept");
      headers.append("vary", "authorization");
      await writeWebResponse(res, new Response('{"ok":true}', { status: 201, statusText: "Made", headers }));
    });
    const res = await get(server.port);
    expect(res.statusCode).toBe(201);
    expect(res.statusMessage).toBe("Made");
    expect(res.headers["set-cookie"]).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    expect(res.headers.vary).toBe("accept, authorization");
    expect(res.headers.etag).toBe('W/"3"');
    expect(res.headers["content-type"]).toBe("application/scim+json");
    res.resume();
  });

  it("ends a response without a body, such as a 204", async () => {
    server = await listen((_req, res) => writeWebResponse(res, new Response(null, { status: 204 })));
    const res = await rawRequest(server.port, { path: "/" });
    expect(res.status).toBe(204);
    expect(res.body).toBe("");
  });

  it("streams a large body, pulling no further ahead of a paused client than the socket buffers", async () => {
    const chunk = new Uint8Array(64 * 1024).fill(120);
    const total = 1024; // 64 MiB in all
    let pulled = 0;
    server = await listen((_req, res) =>
      writeWebResponse(
        res,
        new Response(
          new ReadableStream<Uint8Array>(
            {
              pull(controller) {
                if (pulled === total) controller.close();
                else {
                  pulled++;
                  controller.enqueue(chunk);
                }
              },
            },
            { highWaterMark: 1 },
          ),
        ),
      ),
    );
    const res = await get(server.port);
    res.pause();
    await new Promise((r) => setTimeout(r, 300));
    // Kernel and stream buffers hold a few MiB at most; without backpressure all 64 MiB are pulled.
    expect(pulled).toBeGreaterThan(0);
    expect(pulled).toBeLessThan(total / 4);
    let received = 0;
    res.on("data", (c: Buffer) => (received += c.length));
    res.resume();
    await new Promise((r) => res.on("end", r));
    expect(received).toBe(total * chunk.length);
  });

  it("cancels the body stream when the client disconnects mid-body", async () => {
    let cancelled: (reason: unknown) => void = () => undefined;
    const wasCancelled = new Promise((resolve) => (cancelled = resolve));
    server = await listen((_req, res) =>
      writeWebResponse(
        res,
        new Response(
          new ReadableStream<Uint8Array>({
            async pull(controller) {
              await new Promise((r) => setTimeout(r, 5));
              controller.enqueue(new Uint8Array(1024));
            },
            cancel: (reason) => cancelled(reason ?? "cancelled"),
          }),
        ),
      ),
    );
    const res = await get(server.port);
    res.once("data", () => res.destroy());
    await expect(wasCancelled).resolves.toBeDefined();
  });

  it("cuts the connection when the body stream fails after the headers were sent", async () => {
    server = await listen((_req, res) =>
      writeWebResponse(
        res,
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('{"Resources":['));
              setTimeout(() => controller.error(new Error("store went away")), 20);
            },
          }),
        ),
      ),
    );
    const res = await get(server.port);
    const outcome = await new Promise<string>((resolve) => {
      res.on("data", () => undefined);
      res.on("end", () => resolve("complete"));
      res.on("error", () => resolve("cut"));
      res.on("aborted", () => resolve("cut"));
    });
    expect(outcome).toBe("cut");
  });
});
