/**
 * `createAdminApi`: a Web-standard handler serving the admin API and its settings page. Each API
 * request goes through the same steps: route → CSRF checks (unsafe methods) → the host's
 * `authorize` → body → handler, acting through core as the authorized person (core's audit entry
 * for each change names them) → JSON answer. The page and its script are public static files.
 */
import { isScimError, ScimConfigError, type ScimServer } from "@scimkit/core";
import { z } from "zod";
import type { AdminActor } from "./audit.js";
import type { Context, Reply } from "./context.js";
import {
  type AdminIssue,
  AdminError,
  checkCsrf,
  errorResponse,
  json,
  readJsonBody,
  UNSAFE,
  type CsrfSettings,
} from "./http.js";
import { createUi, type AdminUiOptions } from "./page.js";
import { en } from "./ui/strings.js";
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
  /** Receives unexpected failures (answered 500). */
  readonly onError?:
    | ((error: unknown, context: { readonly method: string; readonly path: string }) => void)
    | undefined;
  /** The clock for token status. @default () => new Date() */
  readonly now?: (() => Date) | undefined;
  /**
   * The settings page served at the mount path (needs `basePath`) and its script at
   * `<mount>/assets/scimkit-admin.js`, for embedding `<scimkit-admin api="<mount>">` in the host's own
   * pages; `false` serves neither. @default {}
   */
  readonly ui?: AdminUiOptions | false | undefined;
}

/** What the adapters mount (`createExpressMiddleware(api)`, `createKoaMiddleware(api)`, `createNextRouteHandlers(api)`). */
export interface AdminApi {
  fetch(request: Request): Promise<Response>;
}

type Action =
  | {
      readonly kind: "api";
      readonly run: (ctx: Context) => Promise<Reply>;
      /** What input the handler reads (and validates); anything else sent is refused with 400. */
      readonly takes: "query" | "body" | "nothing";
    }
  /** The page and its script: public, no authorization, no tenant data. */
  | { readonly kind: "static"; readonly asset: "page" | "script" };

const route = (
  method: Method,
  pattern: string,
  run: (ctx: Context) => Promise<Reply>,
  takes: "query" | "body" | "nothing" = "nothing",
): RouteDef<Action> => ({ method, pattern, handler: { kind: "api", run, takes } });

/** The API's endpoints (exported for the tests that cover each one). */
export const apiRoutes: readonly RouteDef<Action>[] = [
  route("GET", "/connections", c.listConnections),
  route("POST", "/connections", c.createConnection, "body"),
  route("GET", "/connections/:connectionId", c.getConnection),
  route("PATCH", "/connections/:connectionId", c.updateConnection, "body"),
  route("DELETE", "/connections/:connectionId", c.deleteConnection, "query"),
  route("GET", "/connections/:connectionId/tokens", c.listTokens),
  route("POST", "/connections/:connectionId/tokens", c.createToken, "body"),
  route("POST", "/connections/:connectionId/tokens/rotate", c.rotateToken, "body"),
  route("DELETE", "/connections/:connectionId/tokens/:tokenId", c.revokeToken),
  route("GET", "/connections/:connectionId/setup", c.setup, "query"),
  route("GET", "/connections/:connectionId/health", c.health),
  route("GET", "/connections/:connectionId/deprovisioning", c.getDeprovisioning),
  route("PUT", "/connections/:connectionId/deprovisioning", c.setDeprovisioning, "body"),
  route("GET", "/roles", d.listRoles),
  route("GET", "/groups", d.listGroups, "query"),
  route("GET", "/groups/:groupId", d.getGroup),
  route("GET", "/groups/:groupId/role/preview", d.previewRole, "query"),
  route("PUT", "/groups/:groupId/role", d.mapGroup, "body"),
  route("DELETE", "/groups/:groupId/role", d.unmapGroup),
  route("GET", "/users", d.listUsers, "query"),
  route("GET", "/users/:userId", d.getUser),
  route("GET", "/exclusions", d.listExclusions),
  route("PUT", "/exclusions/:userId", d.exclude, "body"),
  route("DELETE", "/exclusions/:userId", d.include),
  route("GET", "/activity", activity, "query"),
];

/** Refuses input the endpoint does not read: a query parameter, or a body field, it would silently ignore. */
function checkUnread(takes: "query" | "body" | "nothing", url: URL, body: unknown): void {
  const issues: AdminIssue[] = [];
  if (takes !== "query")
    for (const key of new Set(url.searchParams.keys()))
      issues.push({ path: ["query", key], message: "not a parameter of this endpoint" });
  if (takes !== "body") {
    if (body === null || typeof body !== "object" || Array.isArray(body))
      issues.push({ path: ["body"], message: "this endpoint takes no body (send {} or nothing)" });
    else
      for (const key of Object.keys(body))
        issues.push({ path: ["body", key], message: "not a field of this endpoint" });
  }
  if (issues.length > 0)
    throw new AdminError("invalid_input", "The request has input this endpoint does not take", issues);
}

const uiRoutes: readonly RouteDef<Action>[] = [
  { method: "GET", pattern: "/", handler: { kind: "static", asset: "page" } },
  { method: "GET", pattern: "/assets/scimkit-admin.js", handler: { kind: "static", asset: "script" } },
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
  ui: z
    .union([
      z.literal(false),
      z
        .object({
          title: z.string().min(1).max(200).optional(),
          lang: z.string().min(1).max(35).optional(),
          stylesheets: z.array(z.string().min(1)).optional(),
          strings: z
            .record(z.string(), z.string())
            .refine((s) => Object.keys(s).every((k) => k in en), { message: "holds a key the page does not use" })
            .optional(),
        })
        .strict(),
    ])
    .optional(),
});

/** Core's admin calls report a bad value, a missing record or a conflict as configuration errors with a code. */
function fromCore(error: unknown): AdminError | null {
  if (error instanceof AdminError) return error;
  if (error instanceof ScimConfigError || (error instanceof Error && error.name === "ScimConfigError")) {
    const code = (error as ScimConfigError).code;
    return code === "notFound"
      ? new AdminError("not_found", "Not found")
      : new AdminError(code === "conflict" ? "conflict" : "invalid_input", error.message);
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
  const ui = options.ui === false ? null : createUi(options.ui ?? {}, options.basePath);
  const router = new Router([...apiRoutes, ...(ui === null ? [] : uiRoutes)], options.basePath);
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
    if (action.kind === "static") return (ui as NonNullable<typeof ui>).serve(action.asset, request);
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

    try {
      const body = UNSAFE.has(method) ? await readJsonBody(request, maxBodyBytes) : {};
      checkUnread(action.takes, url, body);
      const base =
        typeof options.scimBaseUrl === "function"
          ? options.scimBaseUrl(request, principal.tenantId)
          : options.scimBaseUrl;
      const { id, name, email } = principal.actor;
      const person = { id, name: name ?? null, email: email ?? null };
      const ctx: Context = {
        request,
        url,
        tenantId: principal.tenantId,
        actor: principal.actor,
        params: found.params,
        query: url.searchParams,
        body,
        scim,
        directories: scim.directories.as(person),
        policy: scim.policy.as(person),
        scimBaseUrl: base,
        now,
      };
      const reply = await action.run(ctx);
      return json(reply.status, reply.body);
    } catch (error) {
      const failure = fromCore(error);
      if (failure !== null) return errorResponse(failure);
      report(error, method, url.pathname);
      return errorResponse(new AdminError("internal", "The request could not be completed"));
    }
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
