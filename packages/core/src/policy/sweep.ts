/**
 * The delayed half of `{ deactivateThenDeleteAfterDays: N }`: deletes users still inactive N days
 * after SCIM deactivated them, judged by their directory's setting at sweep time (a directory
 * switched back to soft deactivation keeps its users). Each user is its own unit of work — delete,
 * audit entry, `user.deleted` event, `onDeprovision` — so one failure does not hold back the rest.
 */
import type { PolicyOperation } from "../audit/operations.js";
import { visibleChange } from "../audit/visible.js";
import { eventsOf } from "../events/outbox.js";
import { rolesGone } from "./apply-roles.js";
import { deleteByPolicy, noteDeprovision } from "./deprovision.js";
import { deprovisionBlocked, type GuardReason } from "./guards.js";
import { HOST_ACTOR, inPolicyUnit, type PolicyUnitDeps } from "./journal.js";
import type { ResolvedPolicy } from "./options.js";
import { deprovisioningFor, PENDING_DELETE, type PendingDelete } from "./records.js";
import { storedRoles } from "./roles.js";

export interface SweepResult {
  /** Users deleted by this sweep. */
  readonly deleted: readonly string[];
  /** Users due for deletion that a guard kept. */
  readonly kept: readonly { readonly userId: string; readonly reason: GuardReason }[];
  /** Users whose deletion failed (e.g. the host's hook threw); each rolled back alone. */
  readonly failed: readonly { readonly userId: string; readonly error: string }[];
}

const DAY_MS = 86_400_000;

export interface SweepDeps extends PolicyUnitDeps {
  readonly now: () => Date;
}

export async function sweepTenant(
  policy: ResolvedPolicy,
  deps: SweepDeps,
  tenantId: string,
  now: Date,
): Promise<SweepResult> {
  const pending = await deps.store.transaction(
    tenantId,
    async (tx) => (await tx.listRecords(PENDING_DELETE)).map((r) => r.data as unknown as PendingDelete),
    { readOnly: true },
  );
  const deleted: string[] = [];
  const kept: { userId: string; reason: GuardReason }[] = [];
  const failed: { userId: string; error: string }[] = [];
  for (const p of pending) {
    try {
      const actor = { ...HOST_ACTOR, directoryId: p.directoryId };
      const outcome = await inPolicyUnit(
        deps,
        tenantId,
        actor,
        deps.now().toISOString(),
        async (journal): Promise<GuardReason | "deleted" | null> => {
          const tx = journal.tx;
          const user = await tx.getResource("User", p.userId);
          // Reactivated or deleted meanwhile: nothing is pending any more.
          if (user?.attributes["active"] !== false) {
            await tx.deleteRecord(PENDING_DELETE, p.userId);
            return null;
          }
          const rule = (await deprovisioningFor(tx, p.directoryId, policy.deprovisioning)).onDeactivate;
          if (
            typeof rule !== "object" ||
            Date.parse(p.deactivatedAt) + rule.deactivateThenDeleteAfterDays * DAY_MS > now.getTime()
          )
            return null;
          const blocked = await deprovisionBlocked(tx, policy, user);
          if (blocked) return blocked;
          const deletion = await deleteByPolicy(tx, user, journal.at);
          const change = visibleChange(deps.registry, deletion);
          const facts = { deactivatedAt: p.deactivatedAt, deleteAfterDays: rule.deactivateThenDeleteAfterDays };
          journal.audit({
            operation: "policy.sweep" satisfies PolicyOperation,
            resourceType: "User",
            resourceId: user.id,
            change,
            status: 204,
            facts,
          });
          journal.event(...eventsOf(change, p.directoryId));
          await noteDeprovision(journal, policy, user.id, "delete", "sweep", {});
          await rolesGone(journal, policy, user.id, storedRoles(user.internal));
          return "deleted";
        },
      );
      if (outcome === "deleted") deleted.push(p.userId);
      else if (outcome !== null) kept.push({ userId: p.userId, reason: outcome });
    } catch (error) {
      failed.push({ userId: p.userId, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { deleted, kept, failed };
}
