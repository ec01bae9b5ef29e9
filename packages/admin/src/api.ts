/**
 * `createAdminApi`: a Web-standard handler serving the admin API. Each request goes through the
 * same steps: route → CSRF checks (unsafe methods) → the host's `authorize` → body → handler →
 * audit entry (mutating calls, success or failure) → JSON answer.
 */
import { randomUUID } from "node:crypto";
import { isScimError, type ScimServer } from "@scimkit/core";
import { z } from "zod";
import { appendAdminEntry, type AdminActor, type AuditNote } from "./audit.js";
import type { Context, Reply } from "./context.js";
import { AdminError, checkCsrf, errorResponse, json, readJsonBody, UNSAFE, type CsrfSettings } from "./http.js";
import { Router, type Method, type RouteDef } from "./router.js";
import { activity } from "./routes/activity.js";
import * as c from "./routes/connections.js";
import * as d from "./routes/directory.js";

/** Who is calling: the tenant every call is scoped to and the person it is attributed to. */
export interface AdminPrincipal {
  readonly tenantId: string;
  readonly actor: AdminActor;
}

export interface AdminApiOptions {
  /**
   * The host's own session or auth check: the tenant and person behind the request, or null to
   * answer 401. Runs for every request, after the CSRF checks and before any body is read.
   */
  readonly authorize: (request: Request) => AdminPrincipal | null | Promise<AdminPrincipal | null>;
  /**
   * Where the host serves SCIM (e.g. `https://app.example.com/scim/v2`); a connection's URL is this
   * plus its id. A function gets the request, for hosts serving several domains.
   */
  readonly scimBaseUrl: string | ((request: Request, tenantId: string) => string);
  /**
   * The path the API is mounted at, e.g. `/api/admin/scim`. Adapters pass the full request path, so
   * without it the mount is detected as the shortest prefix followed by a known route; give it when
   * the mount path itself ends in a route name (`…/connections`, `…/users`).
   */
  readonly basePath?: string | undefined;
  /** Origins besides the API's own allowed to make changing requests (e.g. a separate admin UI). @default [] */
  readonly allowedOrigins?: readonly string[] | undefined;
  /**
   * Accept changing requests that carry neither `Origin` nor `Sec-Fetch-Site` (no browser sends
   * such a request: scripts, server-to-server calls). @default true
   */
  readonly allowRequestsWithoutOrigin?: boolean | undefined;
  /** Largest request body read. @default 65536 */
  readonly maxBodyBytes?: number | undefined;
  /** Receives unexpected failures (answered 500) and audit appends that failed. */
  readonly onError?:
    | ((error: unknown, context: { readonly method: string; readonly path: string }) => void)
    | undefined;
  /** The clock for audit entries and token expiry. @default () => new Date() */
  readonly now?: (() => Date) | undefined;
}

/** What the adapters mount (`createExpressMiddleware(api)`, `createKoaMiddleware(api)`, `createNextRouteHandlers(api)`). */
export interface AdminApi {
  fetch(request: Request): Promise<Response>;
}

interface Action {
  /** Set for calls that change something: the `admin.*` operation their audit entry records. */
  readonly operation?: string | undefined;
  readonly run: (ctx: Context) => Promise<Reply>;
}

const route = (method: Method, pattern: string, run: Action["run"], operation?: string): RouteDef<Action> => ({
  method,
  pattern,
  handler: { run, operation },
});

const routes: readonly RouteDef<Action>[] = [
  route("GET", "/connections", c.listConnections),
  route("POST", "/connections", c.createConnection, "admin.connection.created"),
  route("GET", "/connections/:connectionId", c.getConnection),
  route("PATCH", "/connections/:connectionId", c.updateConnection, "admin.connection.updated"),
  route("DELETE", "/connections/:connectionId", c.deleteConnection, "admin.connection.deleted"),
  route("GET", "/connections/:connectionId/tokens", c.listTokens),
  route("POST", "/connections/:connectionId/tokens", c.createToken, "admin.token.created"),
  route("POST", "/connections/:connectionId/tokens/rotate", c.rotateToken, "admin.token.rotated"),
  route("DELETE", "/connections/:connectionId/tokens/:tokenId", c.revokeToken, "admin.token.revoked"),
  route("GET", "/connections/:connectionId/setup", c.setup),
  route("GET", "/connections/:connectionId/health", c.health),
  route("GET", "/connections/:connectionId/deprovisioning", c.getDeprovisioning),
  route("PUT", "/connections/:connectionId/deprovisioning", c.setDeprovisioning, "admin.deprovisioning.set"),
  route("GET", "/roles", d.listRoles),
  route("GET", "/groups", d.listGroups),
  route("GET", "/groups/:groupId", d.getGroup),
  route("GET", "/groups/:groupId/role/preview", d.previewRole),
  route("PUT", "/groups/:groupId/role", d.mapGroup, "admin.group.mapped"),
  route("DELETE", "/groups/:groupId/role", d.unmapGroup, "admin.group.unmapped"),
  route("GET", "/users", d.listUsers),
  route("GET", "/users/:userId", d.getUser),
  route("GET", "/exclusions", d.listExclusions),
  route("PUT", "/exclusions/:userId", d.exclude, "admin.user.excluded"),
  route("DELETE", "/exclusions/:userId", d.include, "admin.user.included"),
  route("GET", "/activity", activity),
];

const actorSchema = z.object({
  id: z.string().min(1).max(200),
  name: z.string().max(200).optional(),
  email: z.string().max(320).optional(),
});
const principalSchema = z.object({ tenantId: z.string().min(1).max(200), actor: actorSchema });

const optionsSchema = z.object({
  authorize: z.custom<AdminApiOptions["authorize"]>((v) => typeof v === "function", "authorize must be a function"),
  scimBaseUrl: z.union([
    z.url(),
    z.custom<(request: Request, tenantId: string) => string>((v) => typeof v === "function"),
  ]),
  basePath: z.string().startsWith("/").optional(),
  allowedOrigins: z.array(z.url()).optional(),
  allowRequestsWithoutOrigin: z.boolean().optional(),
  maxBodyBytes: z.number().int().min(1).optional(),
  onError: z.custom<NonNullable<AdminApiOptions["onError"]>>((v) => typeof v === "function").optional(),
  now: z.custom<() => Date>((v) => typeof v === "function").optional(),
});

/** Core's admin calls report a bad value or a missing record as configuration errors. */
function fromCore(error: unknown): AdminError | null {
  if (error instanceof AdminError) return error;
  if (error instanceof Error && error.name === "ScimConfigError") {
    return /does not exist/.test(error.message)
      ? new AdminError("not_found", "Not found")
      : new AdminError("invalid_input", error.message);
  }
  if (isScimError(error) && error.status < 500) {
    return new AdminError(
      error.status === 404 ? "not_found" : error.status === 409 ? "conflict" : "invalid_input",
      error.detail,
    );
  }
  return null;
}

/**
 * The admin API over a scimkit server, as a Web `fetch` handler the scimkit adapters mount.
 *
 * @example
 * ```ts
 * import { createAdminApi } from "@scimkit/admin";
 * import { createExpressMiddleware } from "@scimkit/express";
 *
 * const admin = createAdminApi(scim, {
 *   basePath: "/api/scim-admin",
 *   scimBaseUrl: "https://app.example.com/scim/v2",
 *   authorize: async (request) => {
 *     const session = await sessions.fromCookie(request.headers.get("cookie"));
 *     return session?.isOrgAdmin ? { tenantId: session.orgId, actor: { id: session.userId, email: session.email } } : null;
 *   },
 * });
 * app.use("/api/scim-admin", createExpressMiddleware(admin));
 * ```
 */
export function createAdminApi(scim: ScimServer, options: AdminApiOptions): AdminApi {
  const checked = optionsSchema.safeParse(options);
  if (!checked.success) {
    throw new TypeError(
      `createAdminApi: ${checked.error.issues.map((i) => `${i.path.join(".") || "options"} ${i.message}`).join("; ")}`,
    );
  }
  const router = new Router(routes, options.basePath);
  const csrf: CsrfSettings = {
    allowedOrigins: new Set((options.allowedOrigins ?? []).map((o) => new URL(o).origin)),
    allowRequestsWithoutOrigin: options.allowRequestsWithoutOrigin ?? true,
  };
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const now = options.now ?? (() => new Date());
  const report = (error: unknown, method: string, path: string) => {
    try {
      options.onError?.(error, { method, path });
    } catch {
      // A failing reporter must not turn an answer into another failure.
    }
  };

  async function serve(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const found = router.match(method, url.pathname);
    if (found.kind === "none") return errorResponse(new AdminError("not_found", "No such endpoint"));
    if (found.kind === "method") {
      return errorResponse(
        new AdminError("method_not_allowed", `Use ${found.allow.join(", ")}`, undefined, {
          allow: found.allow.join(", "),
        }),
      );
    }
    const action = found.route.handler;
    try {
      if (UNSAFE.has(method)) checkCsrf(request, url, csrf);
    } catch (error) {
      return errorResponse(error as AdminError);
    }

    let principal: AdminPrincipal;
    try {
      const given = await options.authorize(request);
      if (given === null)
        return errorResponse(new AdminError("unauthorized", "Sign in as an administrator of this organisation"));
      const parsed = principalSchema.safeParse(given);
      if (!parsed.success)
        throw new TypeError(
          `authorize returned an invalid principal: ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}`,
        );
      principal = parsed.data;
    } catch (error) {
      report(error, method, url.pathname);
      return errorResponse(new AdminError("internal", "Authorization failed"));
    }

    const notes: AuditNote[] = [];
    let reply: Reply | undefined;
    let failure: AdminError | undefined;
    try {
      const body = UNSAFE.has(method) ? await readJsonBody(request, maxBodyBytes) : {};
      const base =
        typeof options.scimBaseUrl === "function"
          ? options.scimBaseUrl(request, principal.tenantId)
          : options.scimBaseUrl;
      const ctx: Context = {
        request,
        url,
        tenantId: principal.tenantId,
        actor: principal.actor,
        params: found.params,
        query: url.searchParams,
        body,
        scim,
        scimBaseUrl: base,
        now,
        note: (n) => void notes.push(n),
        report: (error) => report(error, method, url.pathname),
      };
      reply = await action.run(ctx);
    } catch (error) {
      failure = fromCore(error) ?? undefined;
      if (failure === undefined) {
        report(error, method, url.pathname);
        failure = new AdminError("internal", "The request could not be completed");
      }
    }

    if (action.operation !== undefined) {
      const note = Object.assign({}, ...notes) as AuditNote;
      const facts = Object.assign({}, ...notes.map((n) => n.facts ?? {}));
      try {
        await appendAdminEntry(scim, principal.tenantId, {
          ...note,
          facts: failure === undefined ? facts : { ...facts, requested: { ...found.params }, error: failure.code },
          at: now().toISOString(),
          actor: principal.actor,
          requestId: request.headers.get("x-request-id") ?? randomUUID(),
          userAgent: request.headers.get("user-agent"),
          operation: action.operation,
          outcome: failure === undefined ? "success" : "failure",
          status: failure?.status ?? reply?.status ?? 200,
          detail: failure?.message ?? null,
        });
      } catch (error) {
        report(error, method, url.pathname);
      }
    }
    if (failure !== undefined) return errorResponse(failure);
    const r = reply as Reply;
    return json(r.status, r.body);
  }

  return {
    fetch: async (request) => {
      try {
        return await serve(request);
      } catch (error) {
        report(error, request.method, request.url);
        return errorResponse(new AdminError("internal", "The request could not be completed"));
      }
    },
  };
}
