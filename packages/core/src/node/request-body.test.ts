import type { IncomingMessage, ServerResponse } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { readBodyStream } from "./request-body.js";
import { listen, type TestServer } from "./test-server.js";

let http: TestServer | undefined;
afterEach(async () => {
  await http?.close();
  http = undefined;
});

interface Seen {
  readonly text: string;
  /** Listeners on the request right after the read began: the buffered path adds none. */
  readonly dataListeners: number;
  readonly ended: boolean;
}

/** A server that reads each body with `readBodyStream` after a microtask, as the engine does. */
async function reader(maxBytes: number): Promise<{ port: number; seen: Promise<Seen> }> {
  let settle: (seen: Seen) => void = () => {};
  const seen = new Promise<Seen>((resolve) => (settle = resolve));
  http = await listen(async (req: IncomingMessage, res: ServerResponse) => {
    await Promise.resolve();
    const reading = readBodyStream(req, maxBytes);
    const dataListeners = req.listenerCount("data");
    try {
      const bytes = await reading;
      // The request must still reach its end, or Node keeps a listener and the request's state.
      if (!req.readableEnded) await new Promise((resolve) => req.once("end", resolve));
      settle({ text: Buffer.from(bytes).toString("utf8"), dataListeners, ended: req.readableEnded });
      res.end("ok");
    } catch (error) {
      res.statusCode = (error as { status?: number }).status ?? 500;
      res.end();
    }
  });
  return { port: http.port, seen };
}

/** Writes raw bytes in the given pieces, `gapMs` apart, and resolves to the status line. */
function send(port: number, pieces: readonly string[], gapMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk.toString("latin1");
      if (answer.includes("\r\n\r\n")) {
        resolve(answer.split("\r\n")[0] ?? "");
        socket.destroy();
      }
    });
    socket.on("error", reject);
    socket.on("connect", async () => {
      for (const [i, piece] of pieces.entries()) {
        if (i > 0) await new Promise((r) => setTimeout(r, gapMs));
        socket.write(piece);
      }
    });
  });
}

const head = (length: number) =>
  `PATCH /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
const body = JSON.stringify({ Operations: [{ op: "replace", value: { active: false } }] });

describe("reading a Node request body", () => {
  it("takes a body that arrived with its headers in one read, and the request still ends", async () => {
    const { port, seen } = await reader(1024);
    expect(await send(port, [head(body.length) + body], 0)).toBe("HTTP/1.1 200 OK");
    expect(await seen).toEqual({ text: body, dataListeners: 0, ended: true });
  });

  it("waits for a body that arrives in pieces after the headers", async () => {
    const { port, seen } = await reader(1024);
    const pieces = [head(body.length), body.slice(0, 10), body.slice(10)];
    expect(await send(port, pieces, 30)).toBe("HTTP/1.1 200 OK");
    const got = await seen;
    expect(got.text).toBe(body);
    expect(got.dataListeners).toBe(1);
  });

  it("refuses a chunked body past the cap even when it is all buffered", async () => {
    const { port } = await reader(16);
    const chunked = `PATCH /x HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    expect(await send(port, [chunked], 0)).toBe("HTTP/1.1 413 Payload Too Large");
  });

  it("reads an empty body with a zero Content-Length", async () => {
    const { port, seen } = await reader(1024);
    expect(await send(port, [head(0)], 0)).toBe("HTTP/1.1 200 OK");
    expect((await seen).text).toBe("");
  });
});
