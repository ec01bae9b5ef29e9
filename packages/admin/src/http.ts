/**
 * The HTTP edge of the admin API: JSON answers with stable error codes, bounded body reading, and
 * the CSRF checks unsafe methods must pass before anything else runs.
 */
import type { z } from "zod";

/** The stable `error.code` values of the admin API, each with one HTTP status. */
export type AdminErrorCode =
  | "invalid_input"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "internal";

const statusOf: Readonly<Record<AdminErrorCode, number>> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal: 500,
};

/** One problem with the input: where (`path`, e.g. `["body", "name"]`) and what. */
export interface AdminIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** The body of every error answer. */
export interface AdminErrorBody {
  readonly error: {
    readonly code: AdminErrorCode;
    readonly message: string;
    readonly issues?: readonly AdminIssue[];
  };
}

/** An error answered as `{ error: { code, message, issues? } }` with the code's status. */
export class AdminError extends Error {
  override readonly name = "AdminError";
  constructor(
    readonly code: AdminErrorCode,
    message: string,
    readonly issues?: readonly AdminIssue[] | undefined,
    readonly headers?: Readonly<Record<string, string>> | undefined,
  ) {
    super(message);
  }

  get status(): number {
    return statusOf[this.code];
  }

  toJSON(): AdminErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) } };
  }
}

export const notFound = (what: string) => new AdminError("not_found", `${what} not found`);

/** Admin answers hold secrets once (a new token) and tenant data always: never cached anywhere. */
const baseHeaders = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
} as const;

export function json(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Response {
  if (status === 204) return new Response(null, { status, headers: { "cache-control": "no-store" } });
  return new Response(JSON.stringify(body), { status, headers: { ...baseHeaders, ...headers } });
}

export function errorResponse(error: AdminError): Response {
  return json(error.status, error.toJSON(), error.headers);
}

/** zod issues as the API reports them, under `where` (`body` or `query`). */
export function issuesOf(error: z.ZodError, where: "body" | "query" | "path"): AdminIssue[] {
  return error.issues.map((i) => ({
    path: [where, ...i.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
    message: i.message,
  }));
}

/** Parses `input` or throws `invalid_input` listing every issue. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, where: "body" | "query" | "path"): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new AdminError("invalid_input", `The request ${where} is not valid`, issuesOf(r.error, where));
}

export const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** What the CSRF check accepts beyond the request's own origin. */
export interface CsrfSettings {
  readonly allowedOrigins: ReadonlySet<string>;
  readonly allowRequestsWithoutOrigin: boolean;
}

/**
 * An unsafe request must (1) say `Content-Type: application/json`, which no HTML form can send and
 * which makes a browser ask the server (CORS preflight) before sending it cross-origin; and (2) come
 * from the API's own origin or an allowed one: `Origin` when the browser sent it, else
 * `Sec-Fetch-Site`. A request with neither header is no browser's (browsers send `Origin` on every
 * unsafe request) and passes unless `allowRequestsWithoutOrigin` is false.
 */
export function checkCsrf(request: Request, url: URL, settings: CsrfSettings): void {
  const type = request.headers.get("content-type");
  const mediaType = type?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw new AdminError(
      "unsupported_media_type",
      "Requests that change anything must be sent with Content-Type: application/json",
    );
  }
  const origin = request.headers.get("origin");
  if (origin !== null) {
    if (origin === url.origin || settings.allowedOrigins.has(origin)) return;
    throw new AdminError("forbidden", "Cross-origin request refused");
  }
  const site = request.headers.get("sec-fetch-site");
  if (site !== null) {
    if (site === "same-origin" || site === "none") return;
    throw new AdminError("forbidden", "Cross-site request refused");
  }
  if (!settings.allowRequestsWithoutOrigin)
    throw new AdminError("forbidden", "Requests that change anything must carry an Origin header");
}

/** Reads a JSON body of at most `maxBytes`; an empty body reads as `{}`. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new AdminError("payload_too_large", `The body exceeds ${maxBytes} bytes`);
  if (request.body === null) return {};
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new AdminError("payload_too_large", `The body exceeds ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AdminError("invalid_input", "The request body is not valid JSON", [
      { path: ["body"], message: "not valid JSON" },
    ]);
  }
}
