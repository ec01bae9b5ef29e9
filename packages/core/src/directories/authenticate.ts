/**
 * Who is calling: a bearer token → its directory (and so its tenant). Failures follow the seeds'
 * troubleshooting table: no, unknown, expired or revoked token → 401 with `WWW-Authenticate:
 * Bearer`; a token for another directory's base URL → 401; a disabled directory → 403; plain HTTP
 * when HTTPS is required → 403. Hosts may replace token auth with their own function.
 */
import { ScimError } from "../errors.js";
import type { ScimStore } from "../store/types.js";
import type { AuthCache } from "./auth-cache.js";
import { DIRECTORY, TOKEN, directoryFromRecord, tokenRecord, type Directory, type TokenInfo } from "./model.js";
import { digestToken, digestsEqual } from "./tokens.js";
import { isoTime } from "../time.js";

export interface Caller {
  readonly directory: Directory;
  /** The token used, when bearer-token auth identified the caller. */
  readonly tokenId: string | null;
}

/** What authentication reads of a request: its headers, and the Web Request a host's own check gets. */
export interface AuthRequest {
  header(name: string): string | null;
  webRequest(maxBodyBytes: number): Promise<Request>;
}

/** A host's own authentication: return the directory id the request may act for, or null to refuse. */
export type AuthenticateFn = (request: Request) => Promise<{ readonly directoryId: string } | null>;

export interface AuthOptions {
  readonly store: ScimStore;
  readonly now: () => Date;
  readonly authenticate?: AuthenticateFn | undefined;
  readonly requireHttps: boolean;
  readonly trustProxy: boolean;
  readonly cache: AuthCache;
  /** The server's body cap, for a hook that reads the body. */
  readonly maxBodyBytes: number;
}

const unauthorized = (detail: string) =>
  new ScimError(401, detail, undefined, { "www-authenticate": 'Bearer realm="SCIM", error="invalid_token"' });

/** RFC 6750 §3.1: a request with no bearer credentials at all gets the challenge without an error code. */
const noCredentials = () =>
  new ScimError(401, "A bearer token is required", undefined, { "www-authenticate": 'Bearer realm="SCIM"' });

export function isHttps(request: AuthRequest, url: URL, trustProxy: boolean): boolean {
  if (url.protocol === "https:") return true;
  if (!trustProxy) return false;
  const forwarded = request.header("x-forwarded-proto");
  return forwarded?.split(",")[0]?.trim().toLowerCase() === "https";
}

async function directoryById(options: AuthOptions, id: string): Promise<Directory | null> {
  const cached = options.cache.directory(id);
  if (cached) return cached;
  const generation = options.cache.generation;
  const found = await options.store.findRecordByKey(DIRECTORY, id);
  if (!found) return null;
  const directory = directoryFromRecord(found.record.data);
  options.cache.putDirectory(generation, directory);
  return directory;
}

/** The token a digest names, and its directory; null when either is unknown. */
async function tokenByDigest(
  options: AuthOptions,
  digest: string,
): Promise<{ info: TokenInfo; directory: Directory } | null> {
  const cached = options.cache.token(digest);
  if (cached) return cached;
  const generation = options.cache.generation;
  const found = await options.store.findRecordByKey(TOKEN, digest);
  if (!found || !digestsEqual(found.record.key ?? "", digest)) return null;
  const info = tokenRecord.parse(found.record.data);
  const directory = await directoryById(options, info.directoryId);
  if (!directory) return null;
  options.cache.putToken(generation, digest, info, directory);
  return { info, directory };
}

/**
 * Authenticates a request. `identified` hears of the directory a failing request was aimed at as
 * soon as it is known (its per-directory URL, or its token), so health can count 401s and 403s:
 * a connection whose token was rotated away or whose provisioning is off is exactly what a
 * settings page must show as failing.
 */
export async function authenticateRequest(
  request: AuthRequest,
  url: URL,
  routedDirectoryId: string | null,
  options: AuthOptions,
  identified: (directoryId: string) => void = () => {},
): Promise<Caller> {
  if (routedDirectoryId !== null) {
    const routed = await directoryById(options, routedDirectoryId);
    if (routed) identified(routed.id);
  }
  if (options.requireHttps && !isHttps(request, url, options.trustProxy)) throw new ScimError(403, "HTTPS is required");
  let caller: Caller;
  if (options.authenticate) {
    const result = await options.authenticate(await request.webRequest(options.maxBodyBytes));
    const directory = result ? await directoryById(options, result.directoryId) : null;
    if (!directory) throw unauthorized("Authentication failed");
    if (routedDirectoryId === null) identified(directory.id);
    caller = { directory, tokenId: null };
  } else {
    const header = request.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw noCredentials();
    const digest = digestToken(match[1]);
    // A cached token is answered without a trip through the event loop: most requests end here.
    const found = options.cache.token(digest) ?? (await tokenByDigest(options, digest));
    if (!found) throw unauthorized("The bearer token is not valid");
    const { info, directory } = found;
    if (routedDirectoryId === null) identified(directory.id);
    if (info.revokedAt !== null) throw unauthorized("The bearer token has been revoked");
    if (info.expiresAt !== null && info.expiresAt <= isoTime(options.now()))
      throw unauthorized("The bearer token has expired");
    caller = { directory, tokenId: info.id };
  }
  if (routedDirectoryId !== null && routedDirectoryId !== caller.directory.id) {
    throw unauthorized("The bearer token does not belong to this SCIM base URL");
  }
  if (!caller.directory.enabled) throw new ScimError(403, "Provisioning is disabled for this directory");
  return caller;
}
