/**
 * What a host configures for provisioning policy: its roles and how IdP groups grant them, what
 * deactivation and DELETE do, whether passwords are synced, and the hooks that tell the host.
 * Validated once by {@link resolvePolicyOptions}, so a mistake fails at start-up, not mid-sync.
 */
import { z } from "zod";
import { ScimConfigError } from "../errors.js";
import type { StoreTransaction } from "../store/types.js";

/** A role of the host application that IdP groups can grant. */
export interface RoleDefinition {
  /** The id the host stores and receives in role changes, e.g. `"admin"`. */
  readonly id: string;
  /** The name a settings page shows. */
  readonly label: string;
  /**
   * In single-role mode, the role of higher priority wins when a user's mapped groups grant
   * several; equal priorities go to the role declared first.
   * @default 0
   */
  readonly priority?: number | undefined;
}

/**
 * The host's roles: one list for every tenant, or a function of the tenant for an app whose
 * customers define their own roles. The function is called whenever a decision needs the tenant's
 * roles (a user created, deactivated or reactivated, a mapped group's members changing, an admin
 * call), never cached by scimkit, so a changed list applies from the next call on; a host whose
 * lookup is costly caches it itself. What it returns is validated on each call.
 */
export type RolesOption =
  | readonly RoleDefinition[]
  | ((tenantId: string) => readonly RoleDefinition[] | Promise<readonly RoleDefinition[]>);

/** `single`: each user holds at most one role. `multi`: the union of every mapped group's role. */
export type RoleMode = "single" | "multi";

/**
 * What `active: false` from the IdP does. `"deactivate"` keeps the user (reactivation restores the
 * same id and memberships); `"delete"` hard-deletes it in the same request; the delayed form
 * deactivates now and lets `PolicyAdmin.sweep` delete it once N days have passed.
 */
export type DeactivationPolicy = "deactivate" | "delete" | { readonly deactivateThenDeleteAfterDays: number };

/** What a SCIM DELETE of a User does: remove it, or keep a hidden copy (a tombstone) for the host. */
export type DeletePolicy = "hard" | "tombstone";

export interface DeprovisioningPolicy {
  /** @default "deactivate" */
  readonly onDeactivate: DeactivationPolicy;
  /** @default "hard" */
  readonly onDelete: DeletePolicy;
}

/** Why a user's effective roles changed. */
export type RoleChangeReason =
  | "user.created"
  | "user.deactivated"
  | "user.reactivated"
  | "user.deleted"
  | "user.included"
  | "membership.added"
  | "membership.removed"
  | "group.deleted"
  | "group.mapped"
  | "group.unmapped";

/**
 * One change of a user's effective roles. `null` means SCIM assigns this user no role at all (no
 * mapped group and no fallback role): the host keeps whatever value it manages itself.
 */
export interface RoleChange {
  readonly tenantId: string;
  readonly userId: string;
  readonly before: readonly string[] | null;
  readonly after: readonly string[] | null;
  readonly reason: RoleChangeReason;
}

/** A user leaving the host through SCIM. `mode` says whether the record is kept, gone, or kept hidden. */
export interface DeprovisionNotice {
  readonly tenantId: string;
  readonly directoryId: string | null;
  readonly userId: string;
  readonly mode: "deactivate" | "delete" | "tombstone";
}

/** A password the IdP pushed, handed to the host's own credential store. */
export interface PasswordNotice {
  readonly tenantId: string;
  readonly userId: string;
  readonly password: string;
}

export interface PolicyOptions {
  /**
   * The host's roles: one list for every tenant, or a function of the tenant id returning that
   * tenant's list (called whenever a decision needs roles, never cached). A tenant with none has
   * group mapping off and no roles computed.
   * @default []
   */
  readonly roles?: RolesOption | undefined;
  /** @default "single" */
  readonly mode?: RoleMode | undefined;
  /**
   * The role of an active user in no mapped group (with roles per tenant: in each tenant that
   * declares it; a tenant that does not has no fallback role). `null` leaves the host's own value alone: such a
   * user's roles read as `null`, and a user leaving their last mapped group gets a change to `null`.
   * @default null
   */
  readonly fallbackRole?: string | null | undefined;
  /**
   * A role whose last active holder SCIM may never deactivate or delete (the request is answered as
   * if it succeeded, the user stays active, and the audit says why), so an IdP mistake cannot lock a
   * tenant out of its own settings. With roles per tenant it guards the tenants that declare it.
   * @default undefined
   */
  readonly protectLastAdmin?: string | undefined;
  /** Deprovisioning for directories without their own setting. @default { onDeactivate: "deactivate", onDelete: "hard" } */
  readonly deprovisioning?: Partial<DeprovisioningPolicy> | undefined;
  /** Accept passwords pushed by the IdP. @default false */
  readonly passwordSync?: boolean | undefined;
  /**
   * With sync off, a request carrying `password`: `"ignore"` drops it (and audits that it did),
   * `"reject"` answers 400. Okta echoes `password` in PUTs, so `"reject"` breaks Okta updates.
   * @default "ignore"
   */
  readonly passwordWhenOff?: "ignore" | "reject" | undefined;
  /** Shortest password accepted when sync is on; shorter ones get 400 `invalidValue`. @default 10 */
  readonly passwordMinLength?: number | undefined;
  /**
   * Receives each synced password instead of scimkit hashing it. Runs inside the request's unit of
   * work and gets its transaction: a password acknowledged to the IdP must be stored, so throwing
   * fails the request and nothing is written.
   * @default undefined (scrypt hash kept in the user's internal data)
   */
  readonly onPassword?: ((notice: PasswordNotice, tx: StoreTransaction) => void | Promise<void>) | undefined;
  /**
   * Called for every role change, after the unit of work that made it has committed (so it sees only
   * committed state). A throw is reported to the logger and undoes nothing. A `role.changed` event
   * is delivered too. For a write that must be atomic with the change, use `inTransaction`.
   * @default undefined
   */
  readonly onRoleChange?: ((change: RoleChange) => void | Promise<void>) | undefined;
  /** Called after commit when SCIM deactivates or deletes a user (a throw is logged, never undoes anything). @default undefined */
  readonly onDeprovision?: ((notice: DeprovisionNotice) => void | Promise<void>) | undefined;
  /**
   * Hooks that run inside the unit of work, before commit, with its transaction: the host's own
   * write (its users table, a session revocation) commits or rolls back with the SCIM change, and a
   * throw fails the request (or admin call, or that user's sweep) with nothing written.
   * @default {}
   */
  readonly inTransaction?: InTransactionHooks | undefined;
}

/** Hooks atomic with the change: see {@link PolicyOptions.inTransaction}. */
export interface InTransactionHooks {
  readonly onRoleChange?: ((change: RoleChange, tx: StoreTransaction) => void | Promise<void>) | undefined;
  readonly onDeprovision?: ((notice: DeprovisionNotice, tx: StoreTransaction) => void | Promise<void>) | undefined;
}

/** The validated options with every default applied, and the roles of one tenant. */
export interface ResolvedPolicy {
  readonly roles: readonly RoleDefinition[];
  /** role id → rank: 0 is the role single-role mode prefers most. */
  readonly rank: ReadonlyMap<string, number>;
  readonly mode: RoleMode;
  readonly fallbackRole: string | null;
  readonly protectLastAdmin: string | null;
  readonly deprovisioning: DeprovisioningPolicy;
  readonly passwordSync: boolean;
  readonly passwordWhenOff: "ignore" | "reject";
  readonly passwordMinLength: number;
  readonly onPassword: PolicyOptions["onPassword"];
  readonly onRoleChange: PolicyOptions["onRoleChange"];
  readonly onDeprovision: PolicyOptions["onDeprovision"];
  readonly inTransaction: InTransactionHooks;
}

/** The validated options; the role settings are resolved per tenant by `forTenant`. */
export interface PolicySettings extends Omit<ResolvedPolicy, "roles" | "rank"> {
  // fallbackRole and protectLastAdmin are as configured; a tenant's own list may not declare them.
  /** True when roles come from a function of the tenant. */
  readonly rolesPerTenant: boolean;
  /** The policy with the tenant's roles; throws {@link ScimConfigError} when the host's function returns an invalid list. */
  forTenant(tenantId: string): Promise<ResolvedPolicy>;
}

const roleListSchema = z
  .array(
    z.object({
      id: z.string().min(1, "every role needs a non-empty id").max(200),
      label: z.string(),
      priority: z.number().finite().optional(),
    }),
  )
  .superRefine((roles, ctx) => {
    const seen = new Set<string>();
    for (const r of roles) {
      if (seen.has(r.id)) ctx.addIssue({ code: "custom", message: `role "${r.id}" is declared twice` });
      seen.add(r.id);
    }
  });

interface RoleSettings {
  readonly roles: readonly RoleDefinition[];
  readonly rank: ReadonlyMap<string, number>;
  readonly fallbackRole: string | null;
  readonly protectLastAdmin: string | null;
}

/**
 * Validates a role list and ranks it. A static list must declare the fallback and protected roles
 * (`strict`); a tenant's list may leave them out, and then that tenant has neither.
 */
function roleSettings(
  raw: unknown,
  what: string,
  fallback: string | null,
  guarded: string | null,
  strict: boolean,
): RoleSettings {
  const parsed = roleListSchema.safeParse(raw);
  if (!parsed.success)
    throw new ScimConfigError(`${what}: ${parsed.error.issues.map((i) => i.message).join("; ")}`, "invalid");
  const roles: RoleDefinition[] = parsed.data.map((r) =>
    r.priority === undefined ? { id: r.id, label: r.label } : { id: r.id, label: r.label, priority: r.priority },
  );
  // Stable sort: equal priorities keep declaration order.
  const ordered = roles
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (b.r.priority ?? 0) - (a.r.priority ?? 0) || a.i - b.i);
  const rank = new Map(ordered.map(({ r }, i) => [r.id, i]));
  if (strict && fallback !== null && !rank.has(fallback))
    throw new ScimConfigError(`policy.fallbackRole: "${fallback}" is not a declared role`);
  if (strict && guarded !== null && !rank.has(guarded))
    throw new ScimConfigError(`policy.protectLastAdmin: "${guarded}" is not a declared role`);
  return {
    roles,
    rank,
    fallbackRole: fallback !== null && rank.has(fallback) ? fallback : null,
    protectLastAdmin: guarded !== null && rank.has(guarded) ? guarded : null,
  };
}

export const defaultDeprovisioning: DeprovisioningPolicy = { onDeactivate: "deactivate", onDelete: "hard" };

/** Throws {@link ScimConfigError} for a deprovisioning setting that cannot work. */
export function checkDeprovisioning(p: Partial<DeprovisioningPolicy>, what: string): DeprovisioningPolicy {
  const out = { ...defaultDeprovisioning, ...definedOnly(p) };
  const d = out.onDeactivate;
  if (typeof d === "object") {
    const days = d.deactivateThenDeleteAfterDays;
    if (!Number.isInteger(days) || days < 1)
      throw new ScimConfigError(`${what}: deactivateThenDeleteAfterDays must be a whole number of days ≥ 1`);
  } else if (d !== "deactivate" && d !== "delete")
    throw new ScimConfigError(
      `${what}: onDeactivate must be "deactivate", "delete" or { deactivateThenDeleteAfterDays }`,
    );
  if (out.onDelete !== "hard" && out.onDelete !== "tombstone")
    throw new ScimConfigError(`${what}: onDelete must be "hard" or "tombstone"`);
  return out;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function resolvePolicyOptions(options: PolicyOptions): PolicySettings {
  const fallbackRole = options.fallbackRole ?? null;
  const protectLastAdmin = options.protectLastAdmin ?? null;
  if (fallbackRole !== null && (typeof fallbackRole !== "string" || fallbackRole === ""))
    throw new ScimConfigError("policy.fallbackRole must be a role id or null");
  if (protectLastAdmin !== null && (typeof protectLastAdmin !== "string" || protectLastAdmin === ""))
    throw new ScimConfigError("policy.protectLastAdmin must be a role id");
  const minLength = options.passwordMinLength ?? 10;
  if (!Number.isInteger(minLength) || minLength < 1)
    throw new ScimConfigError("policy.passwordMinLength must be a whole number ≥ 1");
  const mode = options.mode ?? "single";
  if (mode !== "single" && mode !== "multi") throw new ScimConfigError('policy.mode must be "single" or "multi"');
  const rest = {
    mode,
    fallbackRole,
    protectLastAdmin,
    deprovisioning: checkDeprovisioning(options.deprovisioning ?? {}, "policy.deprovisioning"),
    passwordSync: options.passwordSync ?? false,
    passwordWhenOff: options.passwordWhenOff ?? "ignore",
    passwordMinLength: minLength,
    onPassword: options.onPassword,
    onRoleChange: options.onRoleChange,
    onDeprovision: options.onDeprovision,
    inTransaction: options.inTransaction ?? {},
  } as const;
  const source = options.roles ?? [];
  if (typeof source === "function") {
    return {
      ...rest,
      rolesPerTenant: true,
      async forTenant(tenantId) {
        const raw = await source(tenantId);
        return { ...rest, ...roleSettings(raw, `policy.roles("${tenantId}")`, fallbackRole, protectLastAdmin, false) };
      },
    };
  }
  const fixed: ResolvedPolicy = {
    ...rest,
    ...roleSettings(source, "policy.roles", fallbackRole, protectLastAdmin, true),
  };
  return { ...rest, rolesPerTenant: false, forTenant: () => Promise.resolve(fixed) };
}
