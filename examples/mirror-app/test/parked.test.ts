/**
 * A poison event in feed mode: the app's table refuses one user, the worker retries, parks the event
 * and goes on with the tenant's later events; once the cause is fixed, `replayParked` brings the app's
 * rows in line with scimkit (the parked user and the membership skipped while it was missing), once.
 * The worker runs in this process, on PGlite or on the server.
 */
import type { FeedConsumer } from "@scimkit/core";
import { afterEach, expect, it } from "vitest";
import { createMirrorApp } from "../src/app.js";
import { MIRROR_GROUP, startMirrorWorker } from "../src/consumer.js";
import { replayParked } from "../src/replay.js";
import { appState, expectMirrored, Idp, openDatabase, sleep } from "./support.js";

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

it("a parked event is visible, the tenant goes on, and a replay after the fix mirrors it once", async () => {
  const db = await openDatabase("parked");
  cleanup.push(() => db.dispose());
  const app = await createMirrorApp({
    driver: db.driver,
    mode: "feed",
    scimSchema: db.scimSchema,
    appSchema: db.appSchema,
  });
  cleanup.push(() => app.close());
  const idp = new Idp(await app.listen(0), app.token ?? "");
  const worker: FeedConsumer = startMirrorWorker(app.scim, db.driver, app.tables, {
    pollMs: 50,
    maxTries: 2,
    backoff: { initialMs: 50, factor: 1, maxMs: 50 },
  });
  cleanup.push(() => worker.stop());

  // A rule of the app's own that this user breaks: the mirror's insert fails on every try.
  await db.driver.query(
    `ALTER TABLE ${app.tables.users} ADD CONSTRAINT no_bobs CHECK (user_name <> 'bob@example.com')`,
  );
  const ada = await idp.createUser("ada@example.com", "Ada", "Lovelace");
  const bob = await idp.createUser("bob@example.com", "Bob", "Builder");
  const builders = await idp.createGroup("Builders", [ada, bob]);
  await app.mapTeam(builders, "engineer");

  const deadline = Date.now() + 20_000;
  while (
    (await app.scim.events.lag(MIRROR_GROUP)).total > 0 ||
    (await app.scim.events.parked(app.tenantId, MIRROR_GROUP)).length === 0
  ) {
    if (Date.now() > deadline) throw new Error("the worker neither parked nor caught up in time");
    await sleep(50);
  }
  const parked = await app.scim.events.parked(app.tenantId, MIRROR_GROUP);
  expect(parked.map((p) => [p.type, p.tries])).toEqual([["user.created", 2]]);
  // The error's code (check_violation), never its message.
  expect(parked[0]?.error).toBe("23514");

  // The tenant went on: Ada and her membership are there, Bob and his are not.
  const before = await appState(app, db.driver);
  expect(before.users.map((u) => u.user_name)).toEqual(["ada@example.com"]);
  expect(before.memberships).toEqual([{ user_scim_id: ada, team_scim_id: builders, role: "engineer" }]);

  await db.driver.query(`ALTER TABLE ${app.tables.users} DROP CONSTRAINT no_bobs`);
  expect(await replayParked(app.scim, db.driver, app.tables, app.tenantId)).toEqual([parked[0]?.eventId]);
  const after = await expectMirrored(app, db.driver);
  expect(after.users.find((u) => u.scim_id === bob)).toMatchObject({ user_name: "bob@example.com", role: "engineer" });
  expect(after.memberships).toContainEqual({ user_scim_id: bob, team_scim_id: builders, role: "engineer" });
  // Replayed once: scimkit still lists it, the app knows it is done.
  expect(await replayParked(app.scim, db.driver, app.tables, app.tenantId)).toEqual([]);
});
