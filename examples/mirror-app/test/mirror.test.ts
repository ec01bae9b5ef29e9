/**
 * End to end, in both modes: an IdP-like client over HTTP provisions, renames, moves users between
 * groups, deactivates, reactivates and deletes; after each step the app's own tables equal scimkit's
 * state as the host read API reports it. In atomic mode they must match the moment the request is
 * answered; in feed mode once the worker has caught up.
 *
 * Feed mode on the PostgreSQL server runs the worker as a separate process (`src/worker.ts`, as
 * `pnpm worker` does), SIGKILLs it in the middle of a batch and restarts it. On PGlite the database
 * lives inside this process, so no second process can reach it: there the worker runs in-process
 * and the kill-and-restart step runs only against the server (CI sets SCIMKIT_TEST_PG_URL).
 */
import type { FeedConsumer } from "@scimkit/core";
import { afterEach, describe, expect, it } from "vitest";
import { createMirrorApp, type MirrorApp, type MirrorMode } from "../src/app.js";
import { MIRROR_GROUP, startMirrorWorker } from "../src/consumer.js";
import {
  expectMirrored,
  Idp,
  openDatabase,
  PG_URL,
  sleep,
  spawnWorker,
  type TestDatabase,
  type WorkerProcess,
} from "./support.js";

const LEASE_MS = 6000;

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

interface Harness {
  readonly db: TestDatabase;
  readonly app: MirrorApp;
  readonly idp: Idp;
  /** Waits for the mirror to match (no wait at all in atomic mode) and returns the app's rows. */
  settle(): ReturnType<typeof expectMirrored>;
}

async function start(mode: MirrorMode): Promise<Harness> {
  const db = await openDatabase(mode);
  cleanup.push(() => db.dispose());
  const app = await createMirrorApp({ driver: db.driver, mode, scimSchema: db.scimSchema, appSchema: db.appSchema });
  cleanup.push(() => app.close());
  const baseUrl = await app.listen(0);
  expect(app.token).toMatch(/^scimkit_/);
  const idp = new Idp(baseUrl, app.token ?? "");
  return { db, app, idp, settle: () => expectMirrored(app, db.driver, mode === "atomic" ? 0 : 20_000) };
}

const workerEnv = (db: TestDatabase, extra: Record<string, string> = {}) => ({
  DATABASE_URL: PG_URL ?? "",
  SCIMKIT_SCHEMA: db.scimSchema,
  APP_SCHEMA: db.appSchema,
  MIRROR_POLL_MS: "50",
  MIRROR_LEASE_MS: String(LEASE_MS),
  ...extra,
});

/** The provisioning story both modes go through, checked against scimkit after every step. */
async function provisioningStory(h: Harness) {
  const { idp, app } = h;
  const ada = await idp.createUser("ada@example.com", "Ada", "Lovelace");
  const grace = await idp.createUser("grace@example.com", "Grace", "Hopper");
  const linus = await idp.createUser("linus@example.com", "Linus", "Torvalds");
  let rows = await h.settle();
  expect(rows.users.map((u) => [u.user_name, u.active, u.role])).toEqual(
    expect.arrayContaining([
      ["ada@example.com", true, "member"],
      ["grace@example.com", true, "member"],
      ["linus@example.com", true, "member"],
    ]),
  );
  expect(rows.users).toHaveLength(3);

  // Groups arrive unmapped: memberships without a role until the app maps the team.
  const admins = await idp.createGroup("Admins", [ada]);
  const engineering = await idp.createGroup("Engineering", [grace, linus]);
  rows = await h.settle();
  expect(rows.teams.map((t) => t.name).sort()).toEqual(["Admins", "Engineering"]);
  expect(rows.memberships).toHaveLength(3);
  expect(rows.memberships.every((m) => m.role === null)).toBe(true);

  await app.mapTeam(admins, "admin");
  await app.mapTeam(engineering, "engineer");
  rows = await h.settle();
  const roleOf = (id: string) => rows.users.find((u) => u.scim_id === id)?.role;
  expect([roleOf(ada), roleOf(grace), roleOf(linus)]).toEqual(["admin", "engineer", "engineer"]);

  // Renames.
  await idp.patchUser(grace, [
    { op: "replace", path: "displayName", value: "Rear Admiral Grace Hopper" },
    { op: "replace", path: "emails", value: [{ value: "ghopper@example.com", type: "work", primary: true }] },
  ]);
  await idp.patchUser(linus, [{ op: "replace", path: "userName", value: "torvalds@example.com" }]);
  rows = await h.settle();
  expect(rows.users.find((u) => u.scim_id === grace)).toMatchObject({
    display_name: "Rear Admiral Grace Hopper",
    email: "ghopper@example.com",
  });
  expect(rows.users.find((u) => u.scim_id === linus)?.user_name).toBe("torvalds@example.com");

  // Linus moves from Engineering to Admins.
  await idp.removeMember(engineering, linus);
  await idp.addMember(admins, linus);
  rows = await h.settle();
  expect(roleOf(linus)).toBe("admin");
  expect(rows.memberships.filter((m) => m.user_scim_id === linus)).toEqual([
    { user_scim_id: linus, team_scim_id: admins, role: "admin" },
  ]);

  // Deactivated: kept, inactive, no role; reactivated: the team's role again.
  await idp.patchUser(grace, [{ op: "replace", path: "active", value: false }]);
  rows = await h.settle();
  expect(rows.users.find((u) => u.scim_id === grace)).toMatchObject({ active: false, role: null });
  await idp.patchUser(grace, [{ op: "replace", path: "active", value: true }]);
  rows = await h.settle();
  expect(rows.users.find((u) => u.scim_id === grace)).toMatchObject({ active: true, role: "engineer" });

  // Deleted: the row and its memberships go.
  await idp.deleteUser(linus);
  rows = await h.settle();
  expect(rows.users.map((u) => u.scim_id).sort()).toEqual([ada, grace].sort());
  expect(rows.memberships.some((m) => m.user_scim_id === linus)).toBe(false);

  // A deleted team takes its memberships along; its members fall back to the default role.
  await idp.deleteGroup(engineering);
  rows = await h.settle();
  expect(rows.teams.map((t) => t.scim_id)).toEqual([admins]);
  expect(roleOf(grace)).toBe("member");
  return { admins };
}

/** Every event in scimkit's outbox for the tenant. */
async function outboxCount(app: MirrorApp): Promise<number> {
  let after = 0;
  let count = 0;
  for (;;) {
    const page = await app.scim.events.read(app.tenantId, { after, limit: 500 });
    if (page.length === 0) return count;
    count += page.length;
    after = page.at(-1)?.seq ?? after;
  }
}

async function appliedCount(h: Harness): Promise<number> {
  const res = await h.db.driver.query(`SELECT count(*)::int AS n FROM ${h.app.tables.applied}`);
  return Number(res.rows[0]?.["n"]);
}

describe("mirroring users into the app's tables", () => {
  it("atomic mode: the app's rows commit with each SCIM write", async () => {
    const h = await start("atomic");
    await provisioningStory(h);
    // Every event went through the in-transaction hook, once.
    expect(await appliedCount(h)).toBe(await outboxCount(h.app));
  });

  it("atomic mode: a failing app write fails the SCIM request and leaves nothing behind", async () => {
    const h = await start("atomic");
    await h.idp.createUser("ada@example.com", "Ada", "Lovelace");
    // Break the app's table: the mirror's insert now fails inside scimkit's transaction.
    await h.db.driver.query(
      `ALTER TABLE ${h.app.tables.users} ADD CONSTRAINT no_bobs CHECK (user_name <> 'bob@example.com')`,
    );
    await expect(h.idp.createUser("bob@example.com", "Bob", "Builder")).rejects.toThrow(/500/);
    expect(await h.app.scim.users.find(h.app.tenantId, { userName: "bob@example.com" })).toBeNull();
    await expectMirrored(h.app, h.db.driver);
  });

  it("feed mode: a worker applies the events, and a killed worker's batch is applied again harmlessly", async () => {
    const h = await start("feed");
    let worker: WorkerProcess | undefined;
    let inProcess: FeedConsumer | undefined;
    if (h.db.kind === "postgres") {
      worker = await spawnWorker(workerEnv(h.db));
    } else {
      inProcess = startMirrorWorker(h.app.scim, h.db.driver, h.app.tables, { pollMs: 50, leaseMs: LEASE_MS });
    }
    cleanup.push(async () => {
      await inProcess?.stop();
      if (worker && worker.child.exitCode === null && worker.child.signalCode === null) {
        worker.child.kill("SIGTERM");
        await worker.exited;
      }
    });
    const { admins } = await provisioningStory(h);
    expect(await appliedCount(h)).toBe(await outboxCount(h.app));
    expect((await h.app.scim.events.lag(MIRROR_GROUP)).total).toBe(0);
    if (!worker) return; // PGlite: no second process can reach the database (see the file's comment).

    // A backlog while the worker is stopped: 80 users joining Admins (user, role and membership events).
    worker.child.kill("SIGTERM");
    expect((await worker.exited).code).toBe(0);
    const before = await appliedCount(h);
    for (let i = 0; i < 80; i++) {
      const id = await h.idp.createUser(`user${i}@example.com`, `User`, `No ${i}`);
      await h.idp.addMember(admins, id);
    }
    const total = (await outboxCount(h.app)) - before;
    expect(total).toBeGreaterThanOrEqual(320);

    // One batch takes the whole backlog; the worker is killed once a part of it is applied.
    worker = await spawnWorker(workerEnv(h.db, { MIRROR_BATCH_SIZE: "1000" }));
    const killAt = before + 40;
    const deadline = Date.now() + 20_000;
    while ((await appliedCount(h)) < killAt) {
      if (Date.now() > deadline) throw new Error("the worker applied nothing in time");
      await sleep(5);
    }
    worker.child.kill("SIGKILL");
    expect((await worker.exited).signal).toBe("SIGKILL");
    const applied = (await appliedCount(h)) - before;
    expect(applied).toBeGreaterThanOrEqual(40);
    expect(applied).toBeLessThan(total);
    // Acknowledged only at the end of a batch (or a lease renewal, LEASE_MS / 2 in): the cursor is
    // behind what was applied, so the next worker gets those events again.
    const pending = (await h.app.scim.events.lag(MIRROR_GROUP)).total;
    const repeated = pending - (total - applied);
    console.log(
      `feed: worker killed after applying ${applied} of ${total} events; ${repeated} will be delivered again`,
    );
    expect(repeated).toBeGreaterThan(0);

    // Restarted: it waits out the dead worker's lease, gets the repeats, skips them, applies the rest.
    worker = await spawnWorker(workerEnv(h.db));
    const rows = await expectMirrored(h.app, h.db.driver, 30_000);
    expect(rows.users).toHaveLength(82);
    expect(rows.memberships.filter((m) => m.team_scim_id === admins && m.role === "admin")).toHaveLength(81);
    expect(await appliedCount(h)).toBe(await outboxCount(h.app));
    const lagDeadline = Date.now() + 10_000;
    while ((await h.app.scim.events.lag(MIRROR_GROUP)).total > 0 && Date.now() < lagDeadline) await sleep(50);
    expect((await h.app.scim.events.lag(MIRROR_GROUP)).total).toBe(0);
  });
});
