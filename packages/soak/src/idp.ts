/**
 * The IdP-like load: Okta and Entra request shapes against the app instances, several requests in
 * flight, each resource touched by one request at a time (as IdPs serialize per user), every
 * acknowledged write recorded in the model.
 *
 * A retried POST whose first attempt committed is answered 409; the IdP then finds the user by
 * `filter=userName eq …` and takes it as created, as Okta and Entra do. A retried DELETE answered
 * 404 likewise means the first attempt went through.
 */
import type { Outcome, Send } from "./client.js";
import {
  certain,
  type Directory,
  dropMember,
  type GroupSlot,
  settleGroup,
  settleUser,
  stateOf,
  type UserFields,
  type UserSlot,
  type WriteRecord,
} from "./model.js";
import { GROUP_SCHEMA, PATCH_SCHEMA, USER_SCHEMA } from "./protocol.js";
import type { Rng } from "./rng.js";

export interface Workload {
  /** Runs `workers` loops while `more()` says so. */
  run(workers: number, more: () => boolean): Promise<void>;
  readonly writes: WriteRecord[];
  readonly violations: string[];
  /** `conflicts`: retried POSTs answered 409 and resolved by a lookup, the first attempt having committed. */
  readonly counts: { logical: number; reads: number; lost: number; conflicts: number };
}

const NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Radia", "Leslie", "Frances", "Donald"];
const TITLES = ["Engineer", "Manager", "Analyst", "Director", "Designer", "Support"];

type Op = "create" | "attrs" | "active" | "delete" | "read" | "groupCreate" | "memberAdd" | "memberRemove";

const hadDoubt = (o: Outcome) => o.attempts.slice(0, -1).some((a) => a.status === null || a.status >= 500);

export function createWorkload(dirs: readonly Directory[], send: Send, rng: Rng, runTag: string): Workload {
  const writes: WriteRecord[] = [];
  const violations: string[] = [];
  const counts = { logical: 0, reads: 0, lost: 0, conflicts: 0 };
  let serial = 0;
  let edits = 0;

  const userBody = (slot: UserSlot, f: UserFields) => ({
    schemas: [USER_SCHEMA],
    userName: slot.userName,
    name: { givenName: f.givenName, familyName: f.familyName },
    emails: [{ value: slot.userName, type: "work", primary: true }],
    title: f.title,
    active: f.active,
  });

  const record = (dir: Directory, operation: string, label: string, effective: boolean): WriteRecord => {
    const w: WriteRecord = { tenantId: dir.tenantId, operation, label, attemptIds: [], acked: false, effective };
    writes.push(w);
    return w;
  };

  const finish = (w: WriteRecord, o: Outcome) => {
    w.attemptIds.push(...o.attempts.map((a) => a.requestId));
  };

  const unexpected = (what: string, o: Outcome) => {
    if (o.kind === "answered")
      violations.push(`${what}: unexpected ${o.status} ${JSON.stringify(o.body).slice(0, 300)}`);
  };

  const freeUsers = (dir: Directory, exists: boolean | null) =>
    dir.users.filter(
      (u) => !u.busy && u.id !== null && certain(u) && (exists === null || (stateOf(u) !== null) === exists),
    );

  async function lookup(dir: Directory, userName: string): Promise<{ id: string; count: number } | null> {
    const filter = encodeURIComponent(`userName eq "${userName}"`);
    const o = await send(dir.token, "GET", `/Users?filter=${filter}`, undefined, "lookup");
    if (o.kind !== "answered" || o.status !== 200) return null;
    const body = o.body as { totalResults?: number; Resources?: { id?: string }[] };
    const id = body.Resources?.[0]?.id;
    return id === undefined ? { id: "", count: 0 } : { id, count: body.totalResults ?? 0 };
  }

  async function createUser(dir: Directory): Promise<void> {
    serial += 1;
    const slot: UserSlot = {
      userName: `u${serial}.${runTag}@${dir.tenantId}.example`,
      id: null,
      possible: [null],
      busy: true,
    };
    dir.users.push(slot);
    const fields: UserFields = {
      givenName: rng.pick(NAMES),
      familyName: `F${serial}`,
      title: rng.pick(TITLES),
      active: true,
    };
    const w = record(dir, "create", `POST /Users ${slot.userName}`, true);
    const o = await send(dir.token, "POST", "/Users", userBody(slot, fields), "POST /Users");
    finish(w, o);
    if (o.kind === "answered" && o.status === 201) {
      slot.id = (o.body as { id: string }).id;
      w.acked = true;
    } else if (o.kind === "answered" && o.status === 409 && hadDoubt(o)) {
      // The first attempt committed and its answer was lost: the IdP finds the user it made.
      const found = await lookup(dir, slot.userName);
      if (found && found.count === 1) {
        slot.id = found.id;
        w.acked = true;
        counts.conflicts += 1;
      } else violations.push(`POST /Users ${slot.userName}: 409 on retry, but the lookup found ${found?.count ?? "?"}`);
    } else if (o.kind === "lost") {
      counts.lost += 1;
    } else unexpected(`POST /Users ${slot.userName}`, o);
    settleUser(slot, fields, w.acked);
    // A create in doubt: find out now whether it exists, so later requests can target it.
    if (!w.acked && slot.id === null) {
      const found = await lookup(dir, slot.userName);
      if (found && found.count === 1) slot.id = found.id;
    }
    slot.busy = false;
  }

  async function updateAttrs(dir: Directory, slot: UserSlot): Promise<void> {
    const before = stateOf(slot);
    if (before === null || slot.id === null) return;
    const next: UserFields = {
      ...before,
      givenName: rng.pick(NAMES),
      // Numbered, so every edit changes the title: an acknowledged edit must then have an event.
      title: `${rng.pick(TITLES)} ${++edits}`,
    };
    let o: Outcome;
    const w = record(dir, "update", `${dir.profile} attrs ${slot.userName}`, true);
    if (dir.profile === "entra") {
      // Entra: one Replace per attribute, each with its path.
      o = await send(
        dir.token,
        "PATCH",
        `/Users/${slot.id}`,
        {
          schemas: [PATCH_SCHEMA],
          Operations: [
            { op: "Replace", path: "name.givenName", value: next.givenName },
            { op: "Replace", path: "title", value: next.title },
          ],
        },
        "PATCH /Users attrs (entra)",
      );
    } else if (rng.chance(0.5)) {
      // Okta: a profile change is a PUT of the whole user.
      o = await send(dir.token, "PUT", `/Users/${slot.id}`, userBody(slot, next), "PUT /Users (okta)");
    } else {
      // Okta: replace without a path, the value an object of attributes.
      const onlyTitle: UserFields = { ...before, title: next.title };
      o = await send(
        dir.token,
        "PATCH",
        `/Users/${slot.id}`,
        { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", value: { title: onlyTitle.title } }] },
        "PATCH /Users attrs (okta)",
      );
      return settle(w, o, slot, onlyTitle);
    }
    return settle(w, o, slot, next);
  }

  function settle(w: WriteRecord, o: Outcome, slot: UserSlot, next: UserFields): void {
    finish(w, o);
    // Entra's profile answers a PATCH 204 without a body, as Entra expects.
    if (o.kind === "answered" && (o.status === 200 || o.status === 204)) w.acked = true;
    else if (o.kind === "lost") counts.lost += 1;
    else unexpected(w.label, o);
    settleUser(slot, next, w.acked);
  }

  async function toggleActive(dir: Directory, slot: UserSlot): Promise<void> {
    const before = stateOf(slot);
    if (before === null || slot.id === null) return;
    const active = !before.active;
    const w = record(
      dir,
      active ? "reactivate" : "deactivate",
      `${dir.profile} active=${active} ${slot.userName}`,
      true,
    );
    const body =
      dir.profile === "entra"
        ? // Entra sends booleans as the strings "True" and "False".
          { schemas: [PATCH_SCHEMA], Operations: [{ op: "Replace", path: "active", value: active ? "True" : "False" }] }
        : { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", value: { active } }] };
    const o = await send(dir.token, "PATCH", `/Users/${slot.id}`, body, `PATCH /Users active (${dir.profile})`);
    settle(w, o, slot, { ...before, active });
  }

  async function deleteUser(dir: Directory, slot: UserSlot): Promise<void> {
    if (stateOf(slot) === null || slot.id === null) return;
    const id = slot.id;
    const w = record(dir, "delete", `DELETE ${slot.userName}`, true);
    const o = await send(dir.token, "DELETE", `/Users/${id}`, undefined, "DELETE /Users");
    finish(w, o);
    if (o.kind === "answered" && (o.status === 204 || (o.status === 404 && hadDoubt(o)))) w.acked = true;
    else if (o.kind === "lost") counts.lost += 1;
    else unexpected(w.label, o);
    settleUser(slot, null, w.acked);
    dropMember(dir.groups, id, w.acked);
  }

  async function readUser(dir: Directory, slot: UserSlot): Promise<void> {
    const expected = stateOf(slot);
    counts.reads += 1;
    const filter = encodeURIComponent(`userName eq "${slot.userName}"`);
    const o = await send(dir.token, "GET", `/Users?filter=${filter}`, undefined, "GET /Users?filter");
    if (o.kind !== "answered") return;
    if (o.status !== 200) return unexpected(`GET filter ${slot.userName}`, o);
    const body = o.body as {
      totalResults?: number;
      Resources?: { id?: string; active?: boolean; title?: string; name?: { givenName?: string } }[];
    };
    const found = body.Resources ?? [];
    // Read after acknowledged writes, on any instance: what the last acknowledged write left.
    if (expected === null) {
      if (found.length !== 0) violations.push(`read ${slot.userName}: deleted user still listed`);
      return;
    }
    const u = found[0];
    if (found.length !== 1 || u === undefined) {
      violations.push(`read ${slot.userName}: ${found.length} results, expected 1`);
      return;
    }
    if (
      u.id !== slot.id ||
      u.active !== expected.active ||
      u.title !== expected.title ||
      u.name?.givenName !== expected.givenName
    )
      violations.push(
        `read ${slot.userName}: ${JSON.stringify({ id: u.id, active: u.active, title: u.title, givenName: u.name?.givenName })} after acknowledged ${JSON.stringify({ id: slot.id, ...expected })}`,
      );
  }

  async function createGroup(dir: Directory): Promise<void> {
    serial += 1;
    const slot: GroupSlot = {
      displayName: `g${serial}.${runTag}`,
      id: null,
      possible: [[]],
      created: "no",
      busy: true,
    };
    dir.groups.push(slot);
    const w = record(dir, "create", `POST /Groups ${slot.displayName}`, true);
    const o = await send(
      dir.token,
      "POST",
      "/Groups",
      { schemas: [GROUP_SCHEMA], displayName: slot.displayName, members: [] },
      "POST /Groups",
    );
    finish(w, o);
    if (o.kind === "answered" && o.status === 201) {
      slot.id = (o.body as { id: string }).id;
      w.acked = true;
    } else if (o.kind === "answered" && o.status === 409 && hadDoubt(o)) {
      const filter = encodeURIComponent(`displayName eq "${slot.displayName}"`);
      const found = await send(dir.token, "GET", `/Groups?filter=${filter}`, undefined, "lookup group");
      const id =
        found.kind === "answered" ? (found.body as { Resources?: { id?: string }[] }).Resources?.[0]?.id : undefined;
      if (id !== undefined) {
        slot.id = id;
        w.acked = true;
        counts.conflicts += 1;
      } else violations.push(`POST /Groups ${slot.displayName}: 409 on retry, lookup found nothing`);
    } else if (o.kind === "lost") counts.lost += 1;
    else unexpected(w.label, o);
    slot.created = w.acked ? "yes" : "maybe";
    slot.busy = false;
  }

  async function changeMembers(dir: Directory, group: GroupSlot, users: readonly UserSlot[], add: boolean) {
    const ids = users.map((u) => u.id).filter((id): id is string => id !== null);
    const verb = add ? "add" : "remove";
    const w = record(
      dir,
      add ? "members.add" : "members.remove",
      `${dir.profile} ${verb} ${ids.length} ${group.displayName}`,
      true,
    );
    let operations: unknown[];
    if (dir.profile === "entra") {
      operations = [{ op: add ? "Add" : "Remove", path: "members", value: ids.map((value) => ({ value })) }];
    } else if (add) {
      operations = [{ op: "add", path: "members", value: users.map((u) => ({ value: u.id, display: u.userName })) }];
    } else {
      // Okta removes members one filter path at a time.
      operations = ids.map((id) => ({ op: "remove", path: `members[value eq "${id}"]` }));
    }
    const o = await send(
      dir.token,
      "PATCH",
      `/Groups/${group.id}`,
      { schemas: [PATCH_SCHEMA], Operations: operations },
      `PATCH /Groups members ${verb} (${dir.profile})`,
    );
    finish(w, o);
    if (o.kind === "answered" && (o.status === 200 || o.status === 204)) w.acked = true;
    else if (o.kind === "lost") counts.lost += 1;
    else unexpected(w.label, o);
    settleGroup(group, ids, add, w.acked);
  }

  function choose(dir: Directory): Op {
    const live = dir.users.filter((u) => u.possible.some((s) => s !== null)).length;
    const table: [Op, number][] = [
      ["create", live < 30 ? 40 : live > 250 ? 5 : 18],
      ["attrs", 22],
      ["active", 10],
      ["delete", live > 250 ? 15 : 5],
      ["read", 20],
      ["groupCreate", dir.groups.length < 4 ? 10 : 1],
      ["memberAdd", 12],
      ["memberRemove", 6],
    ];
    const total = table.reduce((s, [, w]) => s + w, 0);
    let r = rng.next() * total;
    for (const [op, w] of table) {
      r -= w;
      if (r < 0) return op;
    }
    return "read";
  }

  /** Picks and runs one request; resources it touches are marked busy for its duration. */
  async function step(): Promise<void> {
    const dir = rng.pick(dirs);
    const op = choose(dir);
    counts.logical += 1;
    if (op === "create") return createUser(dir);
    if (op === "groupCreate") return createGroup(dir);
    if (op === "memberAdd" || op === "memberRemove") {
      const groups = dir.groups.filter((g) => !g.busy && g.created === "yes" && g.id !== null && certain(g));
      if (groups.length === 0) return;
      const group = rng.pick(groups);
      const members = new Set(group.possible[0] ?? []);
      const candidates = freeUsers(dir, true).filter((u) => (op === "memberAdd") !== members.has(u.id ?? ""));
      if (candidates.length === 0) return;
      const chosen = new Set<UserSlot>();
      const want = rng.int(1, 3);
      for (let i = 0; i < want; i++) chosen.add(rng.pick(candidates));
      const users = [...chosen];
      group.busy = true;
      for (const u of users) u.busy = true;
      try {
        await changeMembers(dir, group, users, op === "memberAdd");
      } finally {
        group.busy = false;
        for (const u of users) u.busy = false;
      }
      return;
    }
    const candidates = freeUsers(dir, op === "read" ? null : true);
    if (candidates.length === 0) return;
    const slot = rng.pick(candidates);
    slot.busy = true;
    try {
      if (op === "attrs") await updateAttrs(dir, slot);
      else if (op === "active") await toggleActive(dir, slot);
      else if (op === "delete") await deleteUser(dir, slot);
      else await readUser(dir, slot);
    } finally {
      slot.busy = false;
    }
  }

  return {
    writes,
    violations,
    counts,
    run: async (workers, more) => {
      await Promise.all(
        Array.from({ length: workers }, async () => {
          while (more()) {
            await step();
            // A short pause keeps the load realistic for an IdP and leaves the shared machine room.
            await new Promise((r) => setTimeout(r, rng.int(5, 30)));
          }
        }),
      );
    },
  };
}
