/**
 * A complete Node handler around a Web `fetch`: what Express uses as it is, and what Koa and other
 * frameworks reuse through {@link fetchNodeRequest} before writing the answer their own way.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { isScimError } from "../errors.js";
import { errorResponse, toScimError } from "../http/respond.js";
import { disconnectSignal } from "./disconnect-signal.js";
import { resolveFetch, type FetchTarget } from "./fetch-target.js";
import { toWebRequest, type NodeRequest, type ToWebRequestOptions } from "./to-web-request.js";
import { writeWebResponse } from "./write-web-response.js";

/** Where a request failed unexpectedly: enough to find it, never headers (tokens) or bodies (PII). */
export interface NodeErrorContext {
  readonly method: string;
  /** Path without the query string, which may carry filter values such as e-mail addresses. */
  readonly path: string;
}

export interface FetchNodeRequestOptions extends Omit<ToWebRequestOptions, "signal"> {
  /**
   * Called with anything the handler threw (the client gets a generic 500). Not called for client
   * errors (413, 400) nor when the client disconnected.
   * @default logs name, message and stack with `console.error`
   */
  readonly onError?: ((error: unknown, context: NodeErrorContext) => void) | undefined;
}

/** Options of {@link nodeHandler}: per-request choices (`url`, `parsedBody`) come from each request. */
export type NodeHandlerOptions = Omit<FetchNodeRequestOptions, "url" | "parsedBody">;

function defaultOnError(error: unknown, context: NodeErrorContext): void {
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  console.error(`scimkit: ${context.method} ${context.path} failed: ${detail}`);
}

/**
 * Runs `target` for a Node request and resolves to the Web `Response` to send. Never rejects: a
 * request the bridge cannot read becomes its 413/400 SCIM error, anything thrown a 500 SCIM error.
 * The signal of the Web request aborts when the client disconnects before `res` is finished.
 *
 * @example
 * ```ts
 * // A framework that sends answers its own way (here Koa) converts only the request side.
 * const response = await fetchNodeRequest(server, ctx.req, ctx.res, { url: ctx.originalUrl });
 * ```
 */
export async function fetchNodeRequest(
  target: FetchTarget,
  req: NodeRequest,
  res: ServerResponse,
  options: FetchNodeRequestOptions = {},
): Promise<Response> {
  const signal = disconnectSignal(res);
  try {
    const request = await toWebRequest(req, { ...options, signal });
    return await resolveFetch(target)(request);
  } catch (error) {
    if (!isScimError(error) && !signal.aborted) {
      const path = (options.url ?? req.originalUrl ?? req.url ?? "/").split("?")[0] ?? "/";
      try {
        (options.onError ?? defaultOnError)(error, { method: req.method ?? "GET", path });
      } catch {
        // A failing logger must not turn a 500 answer into no answer.
      }
    }
    return errorResponse(toScimError(error));
  }
}

/**
 * A `(req, res)` handler for `node:http` and Connect-style frameworks.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { nodeHandler } from "@scimkit/core/node";
 * createServer(nodeHandler(server)).listen(3000);
 * ```
 */
export function nodeHandler(
  target: FetchTarget,
  options: NodeHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => writeWebResponse(res, await fetchNodeRequest(target, req, res, options));
}
