/**
 * Users and groups as a host app reads them: the few fields an app's own tables keep (id,
 * externalId, userName, primary email, name, active, roles), typed, with every client-visible SCIM
 * attribute beside them for whatever else the app maps. Events carry these views and the host read
 * API returns them, so a mirror is written from one shape whichever way it is fed.
 */
import type { JsonObject, JsonValue } from "../json.js";

export interface UserView {
  readonly id: string;
  readonly externalId: string | null;
  readonly userName: string;
  /** The primary email's value, else the first email's; null without emails. */
  readonly email: string | null;
  readonly name: {
    readonly givenName: string | null;
    readonly familyName: string | null;
    readonly formatted: string | null;
  };
  readonly displayName: string | null;
  readonly active: boolean;
  /** The roles the policy gives the user; null when SCIM assigns none (see the policy's fallbackRole). */
  readonly roles: readonly string[] | null;
  /** Every client-visible SCIM attribute (never a password or a never-returned value). */
  readonly attributes: JsonObject;
  /** The connection (directory) that created the user; null when created otherwise. */
  readonly directoryId: string | null;
}

export interface GroupView {
  readonly id: string;
  readonly externalId: string | null;
  readonly displayName: string;
  /** Every client-visible SCIM attribute (members are not attributes: see the membership events). */
  readonly attributes: JsonObject;
  /** The connection (directory) that pushed the group; null when created otherwise. */
  readonly directoryId: string | null;
}

const text = (v: JsonValue | undefined): string | null => (typeof v === "string" ? v : null);
const objectOf = (v: JsonValue | undefined): JsonObject =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? v : {};

function primaryEmail(emails: JsonValue | undefined): string | null {
  if (!Array.isArray(emails)) return null;
  const values = emails.map(objectOf);
  const chosen = values.find((e) => e["primary"] === true) ?? values[0];
  return text(chosen?.["value"]);
}

/** `attributes` are client-visible attributes in canonical form; `id` may be among them. */
export function userView(
  id: string,
  attributes: JsonObject,
  roles: readonly string[] | null,
  directoryId: string | null,
): UserView {
  const { id: _id, ...visible } = attributes;
  const name = objectOf(visible["name"]);
  return {
    id,
    externalId: text(visible["externalId"]),
    userName: text(visible["userName"]) ?? "",
    email: primaryEmail(visible["emails"]),
    name: {
      givenName: text(name["givenName"]),
      familyName: text(name["familyName"]),
      formatted: text(name["formatted"]),
    },
    displayName: text(visible["displayName"]),
    active: visible["active"] !== false,
    roles,
    attributes: visible,
    directoryId,
  };
}

export function groupView(id: string, attributes: JsonObject, directoryId: string | null): GroupView {
  const { id: _id, ...visible } = attributes;
  return {
    id,
    externalId: text(visible["externalId"]),
    displayName: text(visible["displayName"]) ?? "",
    attributes: visible,
    directoryId,
  };
}

/** The directory a resource remembers creating it (`internal.directoryId`). */
export const creatorOf = (internal: JsonObject): string | null =>
  typeof internal["directoryId"] === "string" ? internal["directoryId"] : null;

/**
 * The attribute paths an RFC 6902 difference touched, as SCIM paths: `name.givenName`, `emails`
 * (a multi-valued attribute changes as a whole), an extension's `urn:…:User:manager.value`.
 */
export function changedPaths(diff: readonly JsonObject[]): string[] {
  const out = new Set<string>();
  for (const op of diff) {
    const pointer = op["path"];
    if (typeof pointer !== "string") continue;
    const path = scimPath(pointer);
    if (path !== null) out.add(path);
  }
  return [...out];
}

const unescapePointer = (s: string) => (s.includes("~") ? s.replace(/~1/g, "/").replace(/~0/g, "~") : s);
const isIndex = (s: string) => s.length > 0 && s.charCodeAt(0) >= 48 && s.charCodeAt(0) <= 57 && /^\d+$/.test(s);

/** One JSON pointer as a SCIM path: up to the first array index; null for `id` and the root. */
function scimPath(pointer: string): string | null {
  const segments = pointer.split("/");
  const head = segments[1];
  if (head === undefined || head === "id") return null;
  let path = unescapePointer(head);
  const extension = path.startsWith("urn:");
  for (let i = 2; i < segments.length; i++) {
    const s = segments[i] ?? "";
    if (isIndex(s)) break;
    path += (extension && i === 2 ? ":" : ".") + unescapePointer(s);
  }
  return path;
}

/** Reads `internal.roles` as the policy stores them. */
export function rolesOf(internal: JsonObject): readonly string[] | null {
  const v = internal["roles"];
  return Array.isArray(v) && v.every((r) => typeof r === "string") ? (v as string[]) : null;
}
