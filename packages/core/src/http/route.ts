/**
 * Finds what a request URL asks for. The engine is mounted under any path, so the SCIM base path is
 * found from the right: everything before the first SCIM endpoint segment (`Users`, `Groups`,
 * `ServiceProviderConfig`, `ResourceTypes`, `Schemas`, `Bulk`, `Me`, `.search`). A final base-path
 * segment shaped like a directory id (`dir_…`) selects that directory (per-directory base URLs).
 */

export type Route =
  | { readonly kind: "collection"; readonly endpoint: string }
  | { readonly kind: "resource"; readonly endpoint: string; readonly id: string }
  | { readonly kind: "search"; readonly endpoint: string | null };

export interface RoutedRequest {
  /** Path of the SCIM base URL, e.g. `/scim/v2` or `/scim/v2/dir_…`, without a trailing slash. */
  readonly basePath: string;
  /** The directory named by a per-directory base URL. */
  readonly directoryId: string | null;
  readonly route: Route | null;
}

const endpoints = ["users", "groups", "serviceproviderconfig", "resourcetypes", "schemas", "bulk", "me"];
const directoryIdPattern = /^dir_[0-9a-z]{8,64}$/;

const isEndpoint = (s: string | undefined) => s !== undefined && endpoints.includes(s.toLowerCase());

/** The routed request, with the directory a per-directory base path names. */
function routed(basePath: string, route: Route | null): RoutedRequest {
  const last = basePath.slice(basePath.lastIndexOf("/") + 1);
  return { basePath, directoryId: directoryIdPattern.test(last) ? last : null, route };
}

/** Routes a URL path. `mountPath`, when the host gives one, is trusted over detection. */
export function routeRequest(pathname: string, mountPath?: string | undefined): RoutedRequest {
  const segments: string[] = [];
  for (const s of pathname.split("/")) {
    if (s === "") continue;
    // Only an escaped segment needs decoding; a malformed escape is kept as sent.
    if (!s.includes("%")) segments.push(s);
    else {
      try {
        segments.push(decodeURIComponent(s));
      } catch {
        segments.push(s);
      }
    }
  }
  const n = segments.length;
  const base = (k: number) => (k > 0 ? `/${segments.slice(0, k).join("/")}` : "");
  const last = segments[n - 1];
  const prev = segments[n - 2];
  let at: number;
  let route: Route | null;
  if (last === ".search" && isEndpoint(prev)) {
    at = n - 2;
    route = { kind: "search", endpoint: prev ?? null };
  } else if (last === ".search") {
    at = n - 1;
    route = { kind: "search", endpoint: null };
  } else if (isEndpoint(last)) {
    at = n - 1;
    route = { kind: "collection", endpoint: last ?? "" };
  } else if (isEndpoint(prev) && last !== undefined) {
    at = n - 2;
    route = { kind: "resource", endpoint: prev ?? "", id: last };
  } else {
    return routed(mountPath ?? base(n), null);
  }
  const detected = base(at);
  if (mountPath !== undefined) {
    const mount = mountPath.replace(/\/+$/, "");
    if (
      detected !== mount &&
      !(detected.startsWith(`${mount}/`) && directoryIdPattern.test(detected.slice(mount.length + 1)))
    ) {
      return { basePath: detected, directoryId: null, route: null };
    }
  }
  return routed(detected, route);
}
