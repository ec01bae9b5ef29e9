/**
 * Unknown option keys are refused at run time: a typo (`policy: { fallbackrole }`) in JavaScript, or in
 * TypeScript through a spread, would otherwise be ignored in silence and the default would apply.
 * The lists are checked against the option types, so they cannot fall behind them.
 */
import { ScimConfigError } from "../errors.js";
import type { PolicyOptions } from "../policy/options.js";
import type { ScimServerOptions } from "./options.js";

const SERVER_KEYS = [
  "store",
  "basePath",
  "extensions",
  "maxResults",
  "defaultCount",
  "maxBodyBytes",
  "bulk",
  "rateLimit",
  "requestTimeoutMs",
  "tracer",
  "uniqueGroupDisplayName",
  "authenticate",
  "requireHttps",
  "trustProxy",
  "authCacheSeconds",
  "lastUsedThrottleSeconds",
  "now",
  "logger",
  "policy",
  "onEvent",
  "onEventInTransaction",
] as const satisfies readonly (keyof ScimServerOptions)[];

const POLICY_KEYS = [
  "roles",
  "mode",
  "fallbackRole",
  "protectLastAdmin",
  "deprovisioning",
  "passwordSync",
  "passwordWhenOff",
  "passwordMinLength",
  "onPassword",
  "onRoleChange",
  "onDeprovision",
  "inTransaction",
] as const satisfies readonly (keyof PolicyOptions)[];

// Compile-time: every option key is listed (a new option must be added above).
type Unlisted<T, K> = Exclude<keyof T, K>;
const complete: [
  Unlisted<ScimServerOptions, (typeof SERVER_KEYS)[number]>,
  Unlisted<PolicyOptions, (typeof POLICY_KEYS)[number]>,
] extends [never, never]
  ? true
  : never = true;
void complete;

function refuseUnknown(value: unknown, known: readonly string[], what: string): void {
  if (value === null || typeof value !== "object") return;
  const unknown = Object.keys(value).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new ScimConfigError(
      `${what}: unknown option${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `"${k}"`).join(", ")}`,
    );
}

export function checkOptionKeys(options: ScimServerOptions): void {
  refuseUnknown(options, SERVER_KEYS, "createScimServer");
  refuseUnknown(options.policy, POLICY_KEYS, "createScimServer policy");
}
