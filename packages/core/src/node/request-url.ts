/**
 * The full URL of a Node request. The engine finds its base path and writes `meta.location` from
 * this URL, so it must be the URL the client used: the path before any framework stripped a mount
 * prefix (`originalUrl`), and the client-facing scheme and host when a trusted proxy forwarded them.
 */
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { ScimError } from "../errors.js";

export interface RequestUrlOptions {
  /** Path and query to use instead of `req.originalUrl ?? req.url` (e.g. Koa's `ctx.originalUrl`). */
  readonly url?: string | undefined;
  /**
   * Take the scheme and host from `X-Forwarded-Proto` / `X-Forwarded-Host`. Turn this on only
   * behind a proxy that sets them, or clients could choose the host written into `meta.location`.
   * @default false
   */
  readonly trustProxy?: boolean | undefined;
}

// A Host is a name or address with an optional port: anything else (a slash, `@`, spaces) would let a
// client rewrite the path or user-info of every URL the engine builds from it.
const hostPattern = /^(?:[a-z0-9._~%!$&'()*+,;=-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;
const absoluteForm = /^[a-z][a-z0-9+.-]*:\/\//i;

/** The first value of a possibly repeated, possibly comma-joined header. */
function first(value: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  const head = raw?.split(",")[0]?.trim();
  return head === "" ? undefined : head;
}

function requestTarget(
  req: IncomingMessage & { originalUrl?: string | undefined },
  override: string | undefined,
): string {
  const target = override ?? req.originalUrl ?? req.url ?? "/";
  // A request line may carry an absolute URL (RFC 9112 §3.2.2); only its path and query are ours.
  if (absoluteForm.test(target)) {
    try {
      const url = new URL(target);
      return `${url.pathname}${url.search}`;
    } catch {
      return "/";
    }
  }
  return target.startsWith("/") ? target : `/${target}`;
}

/** Builds the request URL; a malformed Host becomes a 400 rather than a wrong `meta.location`. */
export function requestUrl(
  req: IncomingMessage & { originalUrl?: string | undefined },
  options: RequestUrlOptions = {},
): URL {
  const forwardedProto = options.trustProxy ? first(req.headers["x-forwarded-proto"])?.toLowerCase() : undefined;
  const proto =
    forwardedProto === "http" || forwardedProto === "https"
      ? forwardedProto
      : (req.socket as Partial<TLSSocket> | null)?.encrypted
        ? "https"
        : "http";
  const host =
    (options.trustProxy ? first(req.headers["x-forwarded-host"]) : undefined) ??
    first(req.headers.host) ??
    first(req.headers[":authority"]) ??
    "localhost";
  if (!hostPattern.test(host)) throw new ScimError(400, "The Host header is not a valid host name");
  try {
    // Concatenated, not resolved: a path like `//evil.example/x` must stay a path on this host.
    return new URL(`${proto}://${host}${requestTarget(req, options.url)}`);
  } catch {
    throw new ScimError(400, "The request URL is not valid");
  }
}
