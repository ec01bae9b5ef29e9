/**
 * The two reasons SCIM may not deprovision a user: an admin excluded them, or they are the last
 * active holder of the protected role. Both are answered the same way wherever deprovisioning
 * happens (PATCH/PUT `active: false`, DELETE, sweep): the user stays, and the audit says why.
 */
import type { StoreTransaction, StoredResource } from "../store/types.js";
import type { ResolvedPolicy } from "./options.js";
import { holdersOf, isExcluded } from "./records.js";
import { storedRoles } from "./roles.js";

export type GuardReason = "excluded" | "protectLastAdmin";

/**
 * True when `user` holds the protected role and no other active user does. The holder index lists
 * candidates; each is checked against the store, so a stale entry never lets the guard pass.
 */
export async function isLastProtectedHolder(
  tx: StoreTransaction,
  policy: ResolvedPolicy,
  user: StoredResource,
): Promise<boolean> {
  const role = policy.protectLastAdmin;
  if (role === null || !(storedRoles(user.internal)?.includes(role) ?? false)) return false;
  for (const holder of await tx.listRecords(holdersOf(role))) {
    if (holder.id === user.id) continue;
    const other = await tx.getResource("User", holder.id);
    if (other && other.attributes["active"] !== false && (storedRoles(other.internal)?.includes(role) ?? false))
      return false;
  }
  return true;
}

/** Why SCIM may not deprovision `user`, or null when it may. */
export async function deprovisionBlocked(
  tx: StoreTransaction,
  policy: ResolvedPolicy,
  user: StoredResource,
): Promise<GuardReason | null> {
  if (await isExcluded(tx, user.id)) return "excluded";
  if (await isLastProtectedHolder(tx, policy, user)) return "protectLastAdmin";
  return null;
}
