/** Web `Response` → Node `ServerResponse`: status, every header value, and the body streamed. */
import type { ServerResponse } from "node:http";

/** Header values grouped by name; `Set-Cookie` keeps one value per cookie, as Fetch cannot join them. */
export function headerRecord(headers: Headers): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  headers.forEach((value, name) => {
    if (name !== "set-cookie") record[name] = value;
  });
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) record["set-cookie"] = cookies;
  return record;
}

/** Resolves once `res` can take more data, or has closed (then the caller stops writing). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) {
      resolve();
      return;
    }
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/**
 * Writes a Web `Response` to a Node response: status, headers (repeated ones as repeated fields),
 * then the body chunk by chunk, waiting for `drain` whenever the socket is full so a large list
 * response never piles up in memory. A client that disconnects cancels the body stream.
 *
 * @example
 * ```ts
 * await writeWebResponse(res, await server.fetch(request));
 * ```
 */
export async function writeWebResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText !== "") res.statusMessage = response.statusText;
  for (const [name, value] of Object.entries(headerRecord(response.headers))) res.setHeader(name, value);
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      if (res.destroyed) {
        await reader.cancel();
        return;
      }
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res);
    }
    res.end();
  } catch (error) {
    // Headers are gone already, so the only honest signal left is a cut connection.
    await reader.cancel(error).catch(() => undefined);
    res.destroy();
  } finally {
    reader.releaseLock();
  }
}
