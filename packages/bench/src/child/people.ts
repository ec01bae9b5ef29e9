/**
 * The seeded people. Every server gets the same users, shaped like Okta's create request, so the
 * bytes each server stores, filters and returns are alike.
 */

export const userName = (i: number): string => `user${i}@example.com`;
export const outsiderName = (j: number): string => `outsider${j}@example.com`;

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

export interface UserBody {
  readonly schemas: readonly string[];
  readonly userName: string;
  readonly externalId: string;
  readonly displayName: string;
  readonly name: { readonly givenName: string; readonly familyName: string };
  readonly emails: readonly { readonly value: string; readonly type: string; readonly primary: boolean }[];
  readonly active: boolean;
}

/** An Okta-style create body for `name`; `tag` makes externalId and familyName distinct. */
export function userBody(name: string, tag: string): UserBody {
  return {
    schemas: [USER_SCHEMA],
    userName: name,
    externalId: `ext-${tag}`,
    displayName: `User ${tag}`,
    name: { givenName: "Bench", familyName: `Person ${tag}` },
    emails: [{ value: name, type: "work", primary: true }],
    active: true,
  };
}

/** An Okta-style membership PATCH adding `ids` to a group. */
export function addMembersBody(ids: readonly string[]): {
  schemas: string[];
  Operations: { op: string; path: string; value: { value: string }[] }[];
} {
  return {
    schemas: [PATCH_SCHEMA],
    Operations: [{ op: "add", path: "members", value: ids.map((value) => ({ value })) }],
  };
}
