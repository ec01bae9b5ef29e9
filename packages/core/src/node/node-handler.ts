/**
 * A complete Node handler around a scimkit server (or any Web `fetch`): what Express uses as it is,
 * and what Koa and other frameworks reuse through {@link answerNodeRequest} before writing the
 * answer their own way.
 *
 * A scimkit server is served through its plain-data `handle`: the Node request is read directly
 * and the reply written directly, with no Fetch `Request`/`Response` built for it. Any other
 * target gets a Web `Request` and its `Response` is streamed back.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { isScimError } from "../errors.js";
import { toWebResponse, type ScimReply } from "../http/exchange.js";
import { errorReply, toScimError } from "../http/respond.js";
import { disconnectSignal } from "./disconnect-signal.js";
import { resolveFetch, resolveHandle, type FetchTarget } from "./fetch-target.js";
import { createNodeScimRequest } from "./node-scim-request.js";
import { DEFAULT_MAX_BODY_BYTES } from "./request-body.js";
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

/** What a Node request is answered with: a scimkit reply as plain data, or a Web `Response`. */
export type NodeAnswer = ScimReply | Response;

function defaultOnError(error: unknown, context: NodeErrorContext): void {
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  console.error(`scimkit: ${context.method} ${context.path} failed: ${detail}`);
}

function report(error: unknown, req: NodeRequest, options: FetchNodeRequestOptions, aborted: boolean): void {
  if (isScimError(error) || aborted) return;
  const path = (options.url ?? req.originalUrl ?? req.url ?? "/").split("?")[0] ?? "/";
  try {
    (options.onError ?? defaultOnError)(error, { method: req.method ?? "GET", path });
  } catch {
    // A failing logger must not turn a 500 answer into no answer.
  }
}

/**
 * Serves a Node request and resolves to the answer to send, without writing it. Never rejects: a
 * request the bridge cannot read becomes its 413/400 SCIM error, anything thrown a 500 SCIM error.
 *
 * @example
 * ```ts
 * // A framework that sends answers its own way (here Koa) takes the answer and sets it itself.
 * const answer = await answerNodeRequest(server, ctx.req, ctx.res, { url: ctx.originalUrl });
 * ```
 */
export async function answerNodeRequest(
  target: FetchTarget,
  req: NodeRequest,
  res: ServerResponse,
  options: FetchNodeRequestOptions = {},
): Promise<NodeAnswer> {
  const handle = resolveHandle(target);
  if (!handle) return fetchNodeRequest(target, req, res, options);
  let answer: ScimReply;
  try {
    answer = await handle(createNodeScimRequest(req, res, options));
  } catch (error) {
    report(error, req, options, res.destroyed && !res.writableFinished);
    answer = errorReply(toScimError(error));
  }
  if (answer.status === 413) await drainRefusedBody(req, options.maxBodyBytes);
  return answer;
}

/**
 * A client still sending a body the server refused reads the 413 only once it has sent it all:
 * answering and closing first makes Node's `fetch` fail with EPIPE instead. So a modest excess is
 * read and dropped (never kept) before the answer: at most four times the cap, for at most 2 s. A
 * body declared larger than that is not waited for: it is answered at once and the connection
 * closed, so a huge or slow upload never holds the server.
 */
function drainRefusedBody(req: NodeRequest, maxBodyBytes: number | undefined): Promise<void> {
  const bound = 4 * (maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  const declared = Number(req.headers["content-length"]);
  if (req.readableEnded || req.destroyed || (Number.isFinite(declared) && declared > bound)) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", done);
      req.off("close", done);
      req.off("error", done);
      resolve();
    };
    const onData = (chunk: Buffer | string) => {
      seen += chunk.length;
      if (seen > bound) done();
    };
    const timer = setTimeout(done, 2000);
    req.on("data", onData);
    req.once("end", done);
    req.once("close", done);
    req.once("error", done);
    req.resume();
  });
}

/**
 * Runs `target` for a Node request as a Web `Request` and resolves to its `Response`. Never
 * rejects, like {@link answerNodeRequest}. The signal of the Web request aborts when the client
 * disconnects before `res` is finished.
 */
export async function fetchNodeRequest(
  target: FetchTarget,
  req: NodeRequest,
  res: ServerResponse,
  options: FetchNodeRequestOptions = {},
): Promise<Response> {
  const signal = disconnectSignal(res);
  let response: Response;
  try {
    const request = await toWebRequest(req, { ...options, signal });
    response = await resolveFetch(target)(request);
  } catch (error) {
    report(error, req, options, signal.aborted);
    response = toWebResponse(errorReply(toScimError(error)));
  }
  if (response.status === 413) await drainRefusedBody(req, options.maxBodyBytes);
  return response;
}

/** Writes an answer to a Node response: a reply in one write with its length, a `Response` streamed. */
export async function writeNodeAnswer(res: ServerResponse, answer: NodeAnswer): Promise<void> {
  if (answer instanceof Response) return writeWebResponse(res, answer);
  if (answer.body === null) {
    res.writeHead(answer.status, answer.headers);
    res.end();
    return;
  }
  // A copy then a key, not a literal opening with a spread: V8 builds that on a slow path.
  const headers: Record<string, string> = { ...answer.headers };
  headers["content-length"] = String(Buffer.byteLength(answer.body));
  res.writeHead(answer.status, headers);
  res.end(answer.body);
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
  return async (req, res) => writeNodeAnswer(res, await answerNodeRequest(target, req, res, options));
}
