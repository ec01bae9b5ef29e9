/**
 * A small route table: method plus a path pattern of literal and `:param` segments. The API is
 * mounted under any path; with no `basePath` given, the mount is found from the left as the
 * shortest prefix after which the rest of the path matches a route. The root route (`/`, the mount
 * path itself) matches only with a `basePath`: found from the left it would match any path.
 */

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RouteDef<H> {
  readonly method: Method;
  /** e.g. `/connections/:connectionId/tokens` */
  readonly pattern: string;
  readonly handler: H;
}

export type RouteMatch<H> =
  | { readonly kind: "found"; readonly route: RouteDef<H>; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: "method"; readonly allow: readonly Method[] }
  | { readonly kind: "none" };

interface Compiled<H> {
  readonly route: RouteDef<H>;
  readonly segments: readonly string[];
}

function segmentsOf(pathname: string): string[] | null {
  const out: string[] = [];
  for (const s of pathname.split("/")) {
    if (s === "") continue;
    try {
      out.push(decodeURIComponent(s));
    } catch {
      return null;
    }
  }
  return out;
}

function matchSegments(pattern: readonly string[], path: readonly string[]): Record<string, string> | null {
  if (pattern.length !== path.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const s = path[i] as string;
    if (p.startsWith(":")) params[p.slice(1)] = s;
    else if (p !== s) return null;
  }
  return params;
}

export class Router<H> {
  readonly #routes: Compiled<H>[];
  readonly #basePath: readonly string[] | undefined;

  constructor(routes: readonly RouteDef<H>[], basePath: string | undefined) {
    this.#routes = routes.map((route) => ({ route, segments: segmentsOf(route.pattern) ?? [] }));
    this.#basePath = basePath === undefined ? undefined : (segmentsOf(basePath) ?? []);
  }

  match(method: string, pathname: string): RouteMatch<H> {
    const path = segmentsOf(pathname);
    if (path === null) return { kind: "none" };
    if (this.#basePath !== undefined) {
      const base = this.#basePath;
      if (path.length < base.length || base.some((s, i) => path[i] !== s)) return { kind: "none" };
      return this.#matchRest(method, path.slice(base.length), true);
    }
    for (let k = 0; k <= path.length; k++) {
      const found = this.#matchRest(method, path.slice(k), false);
      if (found.kind !== "none") return found;
    }
    return { kind: "none" };
  }

  #matchRest(method: string, rest: readonly string[], root: boolean): RouteMatch<H> {
    const allow: Method[] = [];
    for (const c of this.#routes) {
      if (c.segments.length === 0 && !root) continue;
      const params = matchSegments(c.segments, rest);
      if (params === null) continue;
      if (c.route.method === method) return { kind: "found", route: c.route, params };
      allow.push(c.route.method);
    }
    return allow.length > 0 ? { kind: "method", allow } : { kind: "none" };
  }
}
