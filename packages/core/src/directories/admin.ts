/**
 * The typed admin API a host's settings page calls: directories (create, list, update, enable,
 * disable, delete) and their tokens (mint, import, rotate with an optional overlap, revoke).
 * Inputs are validated with zod; each call is one unit of work; secrets are returned once and
 * never logged or audited.
 */
import { z } from "zod";
import { profiles, type ProfileName } from "../compat/profiles.js";
import { ScimConfigError } from "../errors.js";
import type { DirectoryOperation } from "../audit/operations.js";
import { checkPerson } from "../audit/person.js";
import type { Person } from "../audit/trail.js";
import type { ScimEvent } from "../events/outbox.js";
import type { ResourceChange } from "../resources/context.js";
import { deleteStored } from "../resources/delete.js";
import type { ScimStore, StoreTransaction } from "../store/types.js";
import { deleteHealth } from "./health.js";
import {
  USAGE,
  defaultProfileFor,
  directoryRecord,
  idpKinds,
  tokenRecord,
  usageRecord,
  type Directory,
  type IdpKind,
  type PatchResponse,
  type TokenInfo,
} from "./model.js";
import { digestToken, mintTokenSecret, prefixedId, TOKEN_PREFIX } from "./tokens.js";

const idpKind = z.enum(idpKinds);
const profileName = z.enum(Object.keys(profiles) as [ProfileName, ...ProfileName[]]);
const patchResponse = z.object({
  User: z.enum(["resource", "noContent"]).optional(),
  Group: z.enum(["resource", "noContent"]).optional(),
});

const createInput = z.object({
  tenantId: z.string().min(1).max(200),
  name: z.string().min(1).max(200),
  idp: idpKind.optional(),
  profile: profileName.optional(),
  primary: z.boolean().optional(),
  enabled: z.boolean().optional(),
  patchResponse: patchResponse.optional(),
});

const updateInput = createInput.omit({ tenantId: true }).partial();

const tokenOptions = z.object({
  /** Seconds the previous tokens stay valid after a rotation; 0 revokes them at once. */
  overlapSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 24 * 3600)
    .optional(),
  expiresAt: z.union([z.date(), z.iso.datetime({ offset: true })]).optional(),
});

export type CreateDirectoryInput = z.input<typeof createInput>;
export type UpdateDirectoryInput = z.input<typeof updateInput>;
export type TokenOptions = z.input<typeof tokenOptions>;

export interface MintedToken {
  /** The bearer secret. Shown once: only its digest is stored. */
  readonly token: string;
  readonly tokenId: string;
  readonly expiresAt: string | null;
}

/**
 * How resources a directory deletion removes reach the audit trail and the event stream: `record`
 * writes their entries and outbox rows in the deletion's unit of work and returns the events, which
 * `deliver` hands to the host's handlers after commit.
 */
export interface RemovalJournal {
  record(
    tx: StoreTransaction,
    directoryId: string,
    changes: readonly ResourceChange[],
    person: Person | null,
  ): Promise<readonly ScimEvent[]>;
  deliver(events: readonly ScimEvent[]): void;
}

/**
 * Journals an admin action in its unit of work: an audit entry and a lifecycle event
 * (`directory.created`, `token.minted`, …), returned for delivery once the unit of work commits.
 */
export type AdminAudit = (
  tx: StoreTransaction,
  action: DirectoryOperation,
  directoryId: string,
  detail: Record<string, string | number | boolean | null>,
  person: Person | null,
) => Promise<readonly ScimEvent[]>;

function parse<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const r = schema.safeParse(input);
  if (!r.success)
    throw new ScimConfigError(
      `${what}: ${r.error.issues.map((i) => `${i.path.join(".") || "input"} ${i.message}`).join("; ")}`,
    );
  return r.data;
}

export class DirectoryAdmin {
  constructor(
    private readonly store: ScimStore,
    private readonly now: () => Date,
    private readonly audit: AdminAudit,
    /** Called after every committed admin write, so cached authentication never outlives it. */
    private readonly changed: () => void = () => {},
    private readonly removals: RemovalJournal = { record: async () => [], deliver: () => {} },
    private readonly person: Person | null = null,
  ) {}

  /** The same admin API, with every change it makes attributed to `person` in the audit trail. */
  as(person: Person): DirectoryAdmin {
    return new DirectoryAdmin(this.store, this.now, this.audit, this.changed, this.removals, checkPerson(person));
  }

  /**
   * Runs `work` in the tenant of `directoryId`; throws when the directory does not exist. A write
   * clears cached authentication once it is over; a read neither takes a write unit of work nor
   * touches the cache.
   */
  async #inDirectory<T>(
    directoryId: string,
    work: (tx: StoreTransaction, d: Directory) => Promise<T>,
    options: { readonly readOnly?: boolean } = {},
  ): Promise<T> {
    const found = await directoryRecord.findByKey(this.store, directoryId);
    if (!found) throw new ScimConfigError(`Directory ${directoryId} does not exist`, "notFound");
    const run = () =>
      this.store.transaction(
        found.tenantId,
        async (tx) => {
          const d = await directoryRecord.get(tx, directoryId);
          if (!d) throw new ScimConfigError(`Directory ${directoryId} does not exist`, "notFound");
          return work(tx, d);
        },
        { readOnly: options.readOnly === true },
      );
    if (options.readOnly) return run();
    try {
      return await run();
    } finally {
      this.changed();
    }
  }

  /** `lastUsedAt` lives in its own record (see {@link USAGE}); reads put it back in place. */
  static async #lastUsed(tx: StoreTransaction, id: string): Promise<string | null> {
    return (await usageRecord.get(tx, id))?.lastUsedAt ?? null;
  }

  static async #withUsage<T extends Directory | TokenInfo>(tx: StoreTransaction, item: T): Promise<T> {
    return { ...item, lastUsedAt: await DirectoryAdmin.#lastUsed(tx, item.id) };
  }

  async #save(tx: StoreTransaction, d: Directory): Promise<void> {
    if (d.primary) {
      for (const { value: o } of await directoryRecord.list(tx)) {
        if (o.id !== d.id && o.primary)
          await directoryRecord.put(tx, { id: o.id, key: o.id, value: { ...o, primary: false } });
      }
    }
    await directoryRecord.put(tx, { id: d.id, key: d.id, value: d });
  }

  async create(input: CreateDirectoryInput): Promise<Directory> {
    const v = parse(createInput, input, "createDirectory");
    const at = this.now().toISOString();
    const idp = v.idp ?? "generic";
    let events: readonly ScimEvent[] = [];
    const created = await this.store.transaction(v.tenantId, async (tx) => {
      const existing = await directoryRecord.list(tx);
      const d: Directory = {
        id: prefixedId("dir"),
        tenantId: v.tenantId,
        name: v.name,
        idp,
        profile: v.profile ?? defaultProfileFor(idp),
        primary: v.primary ?? existing.length === 0,
        enabled: v.enabled ?? true,
        patchResponse: resolvePatchResponse(idp, v.patchResponse),
        createdAt: at,
        updatedAt: at,
        lastUsedAt: null,
      };
      await this.#save(tx, d);
      events = await this.audit(tx, "directory.created", d.id, { name: d.name, idp: d.idp }, this.person);
      return d;
    });
    this.removals.deliver(events);
    // A new primary directory demotes the previous one.
    this.changed();
    return created;
  }

  async list(tenantId: string): Promise<Directory[]> {
    return this.store.transaction(
      tenantId,
      async (tx) => Promise.all((await directoryRecord.list(tx)).map((r) => DirectoryAdmin.#withUsage(tx, r.value))),
      { readOnly: true },
    );
  }

  async get(directoryId: string): Promise<Directory | null> {
    const found = await directoryRecord.findByKey(this.store, directoryId);
    if (!found) return null;
    return this.store.transaction(found.tenantId, (tx) => DirectoryAdmin.#withUsage(tx, found.record.value), {
      readOnly: true,
    });
  }

  async update(directoryId: string, input: UpdateDirectoryInput): Promise<Directory> {
    const v = parse(updateInput, input, "updateDirectory");
    let events: readonly ScimEvent[] = [];
    const updated = await this.#inDirectory(directoryId, async (tx, d) => {
      const next: Directory = {
        ...d,
        ...(v.name !== undefined ? { name: v.name } : {}),
        ...(v.idp !== undefined ? { idp: v.idp } : {}),
        ...(v.profile !== undefined ? { profile: v.profile } : {}),
        ...(v.primary !== undefined ? { primary: v.primary } : {}),
        ...(v.enabled !== undefined ? { enabled: v.enabled } : {}),
        patchResponse: resolvePatchResponse(d.idp, { ...d.patchResponse, ...definedOnly(v.patchResponse ?? {}) }),
        updatedAt: this.now().toISOString(),
      };
      await this.#save(tx, next);
      events = await this.audit(tx, "directory.updated", d.id, { fields: Object.keys(v).join(",") }, this.person);
      return DirectoryAdmin.#withUsage(tx, next);
    });
    this.removals.deliver(events);
    return updated;
  }

  enable(directoryId: string): Promise<Directory> {
    return this.update(directoryId, { enabled: true });
  }

  disable(directoryId: string): Promise<Directory> {
    return this.update(directoryId, { enabled: false });
  }

  /**
   * Deletes a directory and its tokens. `resources: "delete"` also deletes every User and Group it
   * created, each audited and evented like a SCIM DELETE (`user.deleted`, `membership.removed`, …);
   * `"keep"` leaves them in the tenant, detached (they belong to no directory). When the directory
   * was the tenant's primary, the oldest remaining one becomes primary. All in one unit of work.
   */
  async delete(directoryId: string, options: { readonly resources: "delete" | "keep" }): Promise<void> {
    const mode = parse(z.object({ resources: z.enum(["delete", "keep"]) }), options, "deleteDirectory").resources;
    const events = await this.#inDirectory(directoryId, async (tx, gone) => {
      for (const t of await tokenRecord.list(tx)) {
        if (t.value.directoryId !== directoryId) continue;
        await tokenRecord.delete(tx, t.id);
        await usageRecord.delete(tx, t.id);
      }
      await usageRecord.delete(tx, directoryId);
      await deleteHealth(tx, directoryId);
      const changes: ResourceChange[] = [];
      let detached = 0;
      // Groups first, so a deleted user's `membership.removed` names only groups that remain.
      for (const type of ["Group", "User"]) {
        const all = await tx.queryResources(type, { startIndex: 1, count: Number.MAX_SAFE_INTEGER });
        for (const r of all.resources) {
          if (r.internal["directoryId"] !== directoryId) continue;
          if (mode === "delete") changes.push(await deleteStored(tx, r, this.now().toISOString()));
          else {
            const { directoryId: _gone, ...internal } = r.internal;
            const { members: _members, ...resource } = r;
            await tx.replaceResource({ ...resource, internal }, { expectedVersion: r.version });
            detached += 1;
          }
        }
      }
      await directoryRecord.delete(tx, directoryId);
      if (gone.primary) {
        const [next] = (await directoryRecord.list(tx))
          .map((rec) => rec.value)
          .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
        if (next) await this.#save(tx, { ...next, primary: true });
      }
      const recorded = await this.removals.record(tx, directoryId, changes, this.person);
      return [
        ...recorded,
        ...(await this.audit(
          tx,
          "directory.deleted",
          directoryId,
          { resources: mode, deleted: changes.length, detached },
          this.person,
        )),
      ];
    });
    this.removals.deliver(events);
  }

  /**
   * Mints a new token. Earlier tokens of the directory are revoked at once, or keep working for
   * `overlapSeconds` so an admin can update the IdP without a gap.
   */
  async mintToken(directoryId: string, options: TokenOptions = {}): Promise<MintedToken> {
    return this.#addToken(directoryId, mintTokenSecret(), options);
  }

  /** Registers a token the host chose (e.g. from configuration). It must carry the `scimkit_` prefix and ≥ 32 more characters. */
  async importToken(directoryId: string, token: string, options: TokenOptions = {}): Promise<MintedToken> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length < TOKEN_PREFIX.length + 32) {
      throw new ScimConfigError(
        `An imported token must start with "${TOKEN_PREFIX}" followed by at least 32 characters`,
      );
    }
    return this.#addToken(directoryId, token, options);
  }

  async #addToken(directoryId: string, token: string, options: TokenOptions): Promise<MintedToken> {
    const v = parse(tokenOptions, options, "token options");
    const now = this.now();
    const at = now.toISOString();
    const expiresAt = v.expiresAt === undefined ? null : new Date(v.expiresAt).toISOString();
    // A token born expired would still revoke the working ones, leaving the directory without any.
    if (expiresAt !== null && expiresAt <= now.toISOString())
      throw new ScimConfigError("token options: expiresAt must be in the future");
    let events: readonly ScimEvent[] = [];
    const minted = await this.#inDirectory(directoryId, async (tx) => {
      const overlapEnd = new Date(now.getTime() + (v.overlapSeconds ?? 0) * 1000).toISOString();
      let replaced = 0;
      for (const { id, key, value: info } of await tokenRecord.list(tx)) {
        if (info.directoryId !== directoryId || info.revokedAt !== null) continue;
        const next: TokenInfo = v.overlapSeconds
          ? { ...info, expiresAt: info.expiresAt !== null && info.expiresAt < overlapEnd ? info.expiresAt : overlapEnd }
          : { ...info, revokedAt: at };
        await tokenRecord.put(tx, { id, key, value: next });
        if (!v.overlapSeconds) replaced += 1;
      }
      const newId = prefixedId("tok");
      // Tokens revoked on the spot by their replacement are revocations a host watching for them
      // must hear about, before the mint that caused them (with an overlap they expire later instead).
      const revoked =
        replaced > 0
          ? await this.audit(
              tx,
              "token.revoked",
              directoryId,
              { tokenId: "all", count: replaced, replacedBy: newId },
              this.person,
            )
          : [];
      const info: TokenInfo = {
        id: newId,
        directoryId,
        createdAt: at,
        expiresAt,
        revokedAt: null,
        lastUsedAt: null,
        hint: `${TOKEN_PREFIX}…${token.slice(-4)}`,
      };
      await tokenRecord.put(tx, { id: info.id, key: digestToken(token), value: info });
      const mintedEvents = await this.audit(
        tx,
        "token.minted",
        directoryId,
        { tokenId: info.id, overlapSeconds: v.overlapSeconds ?? 0 },
        this.person,
      );
      events = [...revoked, ...mintedEvents];
      return { token, tokenId: info.id, expiresAt };
    });
    this.removals.deliver(events);
    return minted;
  }

  /** Revokes one token, or every token of the directory when `tokenId` is omitted. */
  async revokeToken(directoryId: string, tokenId?: string): Promise<number> {
    let events: readonly ScimEvent[] = [];
    const revoked = await this.#inDirectory(directoryId, async (tx) => {
      let n = 0;
      for (const { id, key, value: info } of await tokenRecord.list(tx)) {
        if (info.directoryId !== directoryId || info.revokedAt !== null || (tokenId !== undefined && id !== tokenId))
          continue;
        await tokenRecord.put(tx, { id, key, value: { ...info, revokedAt: this.now().toISOString() } });
        n += 1;
      }
      events = await this.audit(tx, "token.revoked", directoryId, { tokenId: tokenId ?? "all", count: n }, this.person);
      return n;
    });
    this.removals.deliver(events);
    return revoked;
  }

  /** Token metadata (never secrets) for the settings page. */
  async listTokens(directoryId: string): Promise<TokenInfo[]> {
    return this.#inDirectory(
      directoryId,
      async (tx) =>
        Promise.all(
          (await tokenRecord.list(tx))
            .map((t) => t.value)
            .filter((t) => t.directoryId === directoryId)
            .map((t) => DirectoryAdmin.#withUsage(tx, t)),
        ),
      { readOnly: true },
    );
  }

  /**
   * What a settings page shows for a connection: the SCIM base URL (the host's mount URL, plus the
   * directory id for per-directory URLs) and its tokens' metadata (hint, created, last used,
   * expiry). A read: viewing never mints, rotates or revokes anything.
   */
  async connectionDetails(
    directoryId: string,
    mountUrl: string,
    options: { readonly perDirectoryUrl?: boolean | undefined } = {},
  ): Promise<{ baseUrl: string; tokens: TokenInfo[] }> {
    return {
      baseUrl: baseUrlOf(directoryId, mountUrl, options.perDirectoryUrl),
      tokens: await this.listTokens(directoryId),
    };
  }

  /**
   * Regenerates the connection's token: a new one, shown once in the result, and the old ones
   * revoked at once or after `overlapSeconds` (so the IdP can be updated without a gap).
   */
  async rotateToken(
    directoryId: string,
    mountUrl: string,
    options: TokenOptions & { readonly perDirectoryUrl?: boolean | undefined } = {},
  ): Promise<{ baseUrl: string; token: string; tokenId: string; expiresAt: string | null }> {
    const { perDirectoryUrl, ...tokenOptions } = options;
    const minted = await this.mintToken(directoryId, tokenOptions);
    return { baseUrl: baseUrlOf(directoryId, mountUrl, perDirectoryUrl), ...minted };
  }
}

const baseUrlOf = (directoryId: string, mountUrl: string, perDirectoryUrl: boolean | undefined) => {
  const base = mountUrl.replace(/\/+$/, "");
  return perDirectoryUrl === false ? base : `${base}/${directoryId}`;
};

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Groups get 204, which Entra asks for (returning every member is discouraged) and every other IdP
 * accepts. Users get the resource back (Okta's docs show 200 with it), except for Entra
 * directories, whose reference tests expect 204 there too.
 */
function resolvePatchResponse(
  idp: IdpKind,
  given: { User?: PatchResponse | undefined; Group?: PatchResponse | undefined } | undefined,
): Directory["patchResponse"] {
  return { User: given?.User ?? (idp === "entra" ? "noContent" : "resource"), Group: given?.Group ?? "noContent" };
}
