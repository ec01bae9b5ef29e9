/**
 * Kills a server on the durable memory store (SIGKILL, no chance to flush) at random moments under
 * a concurrent write load (with compaction made frequent, so some kills land during one), restarts it on the same folder, and checks every acknowledged write is
 * there in its last acknowledged state, and every write that got no answer either applied whole or
 * not at all.
 *
 * Each worker owns its users and one group and has one request in flight at a time, so at a kill
 * each resource has at most one write whose outcome is unknown: after the restart it must show the
 * state before that write or the state after it, nothing else.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const KILLS = 6;
const WORKERS = 12;
const TOKEN = `scimkit_${randomBytes(24).toString("hex")}`;
const here = fileURLToPath(new URL(".", import.meta.url));
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

interface Running {
  readonly base: string;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

const children: ChildProcess[] = [];

async function start(dir: string): Promise<Running> {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", join(here, "server.ts"), dir], {
    cwd: join(here, "..", ".."),
    env: { ...process.env, SCIMKIT_TOKEN: TOKEN, COMPACT_AFTER_BYTES: String(64 * 1024) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let out = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exited.then(() => reject(new Error(`the server exited:\n${out}`)));
  });
  return { base: `http://127.0.0.1:${port}/scim/v2`, child, exited };
}

type Body = Record<string, unknown> & { id?: string; meta?: { version?: string } };

class Unanswered extends Error {}

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Body | undefined }> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body === undefined ? {} : { "content-type": "application/scim+json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new Unanswered(String(error));
  }
  let text: string;
  try {
    text = await res.text();
  } catch (error) {
    // Headers came, the body did not: the client cannot count that as an answer.
    throw new Unanswered(String(error));
  }
  return { status: res.status, body: text === "" ? undefined : (JSON.parse(text) as Body) };
}

interface UserState {
  readonly present: boolean;
  readonly givenName: string;
  readonly active: boolean;
}

interface UserModel {
  readonly userName: string;
  id: string | undefined;
  /** What the server last acknowledged (absent until the create is acknowledged). */
  acked: UserState & { readonly version: string | undefined };
  /** The state if the write in flight at the kill applied. */
  pending: UserState | undefined;
}

interface GroupModel {
  readonly id: string;
  members: Set<string>;
  pending: { readonly add?: string; readonly remove?: string } | undefined;
}

const absent: UserModel["acked"] = { present: false, givenName: "", active: false, version: undefined };
const same = (a: UserState, b: UserState) =>
  a.present === b.present && (!a.present || (a.givenName === b.givenName && a.active === b.active));

describe("the durable memory store under kill -9", () => {
  const dir = mkdtempSync(join(tmpdir(), "scimkit-crash-"));
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it(`loses no acknowledged write across ${KILLS} kills`, async () => {
    const users = new Map<string, UserModel>();
    const groups: GroupModel[] = [];
    const problems: string[] = [];
    const tally = {
      creates: 0,
      patches: 0,
      deletes: 0,
      memberships: 0,
      unanswered: 0,
      appliedUnanswered: 0,
      checked: 0,
    };
    let serial = 0;

    let server = await start(dir);
    for (let w = 0; w < WORKERS; w++) {
      const res = await call(server.base, "POST", "/Groups", { schemas: [GROUP], displayName: `crew-${w}` });
      if (res.status !== 201 || !res.body?.id) throw new Error(`group create: ${res.status}`);
      groups.push({ id: res.body.id, members: new Set(), pending: undefined });
    }

    /** One worker: its own users and group, one request at a time, until a request goes unanswered. */
    async function worker(w: number, base: string): Promise<void> {
      const group = groups[w];
      if (!group) return;
      const mine = () => [...users.values()].filter((u) => u.userName.startsWith(`w${w}-`) && u.acked.present && u.id);
      for (;;) {
        const present = mine();
        const r = Math.random();
        const target = present[Math.floor(Math.random() * present.length)];
        try {
          if (r < 0.45 || !target?.id) {
            const model: UserModel = {
              userName: `w${w}-${serial++}@crash.test`,
              id: undefined,
              acked: absent,
              pending: { present: true, givenName: "g0", active: true },
            };
            users.set(model.userName, model);
            const res = await call(base, "POST", "/Users", {
              schemas: [USER],
              userName: model.userName,
              name: { givenName: "g0" },
              active: true,
            });
            if (res.status !== 201 || !res.body?.id) throw new Error(`create answered ${res.status}`);
            model.id = res.body.id;
            model.acked = { present: true, givenName: "g0", active: true, version: res.body.meta?.version };
            model.pending = undefined;
            tally.creates++;
          } else if (r < 0.75) {
            const next = { present: true, givenName: `g${serial++}`, active: !target.acked.active };
            target.pending = next;
            const res = await call(base, "PATCH", `/Users/${target.id}`, {
              schemas: [PATCH],
              Operations: [
                { op: "replace", path: "name.givenName", value: next.givenName },
                { op: "replace", path: "active", value: next.active },
              ],
            });
            if (res.status !== 200) throw new Error(`patch answered ${res.status}`);
            target.acked = { ...next, version: res.body?.meta?.version };
            target.pending = undefined;
            tally.patches++;
          } else if (r < 0.85) {
            target.pending = { present: false, givenName: "", active: false };
            const res = await call(base, "DELETE", `/Users/${target.id}`);
            if (res.status !== 204) throw new Error(`delete answered ${res.status}`);
            target.acked = absent;
            target.pending = undefined;
            group.members.delete(target.id);
            tally.deletes++;
          } else {
            const leaving =
              group.members.size > 0 && Math.random() < 0.4
                ? [...group.members][Math.floor(Math.random() * group.members.size)]
                : undefined;
            const joining = present.find((u) => u.id && !group.members.has(u.id))?.id;
            const change = leaving ? { remove: leaving } : joining ? { add: joining } : undefined;
            if (!change) continue;
            group.pending = change;
            const res = await call(base, "PATCH", `/Groups/${group.id}`, {
              schemas: [PATCH],
              Operations: change.remove
                ? [{ op: "remove", path: `members[value eq "${change.remove}"]` }]
                : [{ op: "add", path: "members", value: [{ value: change.add }] }],
            });
            if (res.status !== 200 && res.status !== 204) throw new Error(`membership answered ${res.status}`);
            if (change.remove) group.members.delete(change.remove);
            if (change.add) group.members.add(change.add);
            group.pending = undefined;
            tally.memberships++;
          }
        } catch (error) {
          if (error instanceof Unanswered) {
            tally.unanswered++;
            return;
          }
          problems.push(`worker ${w}: ${String(error)}`);
          return;
        }
      }
    }

    /** Reads everything back and holds it to the model, resolving the writes that went unanswered. */
    async function verify(base: string): Promise<void> {
      const listed = async (type: "Users" | "Groups") => {
        const all: Body[] = [];
        for (let start = 1; ; start += 1000) {
          const res = await call(base, "GET", `/${type}?startIndex=${start}&count=1000`);
          const page = (res.body?.["Resources"] ?? []) as Body[];
          all.push(...page);
          if (page.length < 1000) return all;
        }
      };
      const onServer = new Map((await listed("Users")).map((u) => [String(u["userName"]), u]));
      for (const model of users.values()) {
        const found = onServer.get(model.userName);
        onServer.delete(model.userName);
        const name = found?.["name"] as { givenName?: string } | undefined;
        const actual: UserState = {
          present: found !== undefined,
          givenName: name?.givenName ?? "",
          active: found?.["active"] === true,
        };
        if (model.pending) {
          if (same(actual, model.pending)) {
            tally.appliedUnanswered++;
            model.acked = { ...actual, version: found?.meta?.version };
            if (found?.id) model.id = found.id;
          } else if (!same(actual, model.acked))
            problems.push(
              `${model.userName}: ${JSON.stringify(actual)}, neither ${JSON.stringify(model.acked)} nor ${JSON.stringify(model.pending)}`,
            );
          model.pending = undefined;
        } else {
          if (model.acked.present) tally.checked++;
          if (!same(actual, model.acked) || (actual.present && found?.meta?.version !== model.acked.version))
            problems.push(
              `${model.userName}: acknowledged ${JSON.stringify(model.acked)}, found ${JSON.stringify({ ...actual, version: found?.meta?.version })}`,
            );
        }
        if (found?.id && found.id !== model.id)
          problems.push(`${model.userName}: id ${found.id}, acknowledged ${model.id}`);
      }
      for (const name of onServer.keys()) problems.push(`${name}: on the server, never written`);

      const ids = new Set([...users.values()].filter((u) => u.acked.present && u.id).map((u) => u.id));
      const serverGroups = new Map((await listed("Groups")).map((g) => [g.id, g]));
      for (const group of groups) {
        // A member whose deletion went through (answered or not) is no longer a member.
        for (const id of [...group.members]) if (!ids.has(id)) group.members.delete(id);
        const actual = new Set(
          ((serverGroups.get(group.id)?.["members"] ?? []) as { value: string }[]).map((m) => m.value),
        );
        for (const id of actual) if (!ids.has(id)) problems.push(`group ${group.id}: member ${id} does not exist`);
        const after = new Set(group.members);
        if (group.pending?.add && ids.has(group.pending.add)) after.add(group.pending.add);
        if (group.pending?.remove) after.delete(group.pending.remove);
        const equal = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));
        if (equal(actual, after) && !equal(actual, group.members)) tally.appliedUnanswered++;
        else if (!equal(actual, group.members))
          problems.push(`group ${group.id}: members ${[...actual]}, acknowledged ${[...group.members]}`);
        group.members = actual;
        group.pending = undefined;
        tally.checked += group.members.size;
        // Both directions agree: a member's own `groups` names the group.
        for (const id of [...actual].slice(0, 3)) {
          const res = await call(base, "GET", `/Users/${id}`);
          const theirs = ((res.body?.["groups"] ?? []) as { value: string }[]).map((g) => g.value);
          if (!theirs.includes(group.id)) problems.push(`user ${id}: groups ${theirs}, missing ${group.id}`);
        }
      }
    }

    for (let kill = 0; kill < KILLS; kill++) {
      const base = server.base;
      const load = Array.from({ length: WORKERS }, (_, w) => worker(w, base));
      await new Promise((r) => setTimeout(r, 500 + Math.random() * 1_500));
      server.child.kill("SIGKILL");
      await server.exited;
      await Promise.all(load);
      server = await start(dir);
      await verify(server.base);
    }
    server.child.kill("SIGKILL");
    await server.exited;

    const acknowledged = tally.creates + tally.patches + tally.deletes + tally.memberships;
    console.log(
      `crash test: ${KILLS} kills; ${acknowledged} acknowledged writes (${tally.creates} creates, ${tally.patches} patches, ${tally.deletes} deletes, ${tally.memberships} membership changes); ` +
        `${tally.checked} acknowledged states checked after restarts; ${tally.unanswered} unanswered writes, ${tally.appliedUnanswered} of them applied whole; ${problems.length} problems`,
    );
    expect(problems).toEqual([]);
    expect(tally.creates).toBeGreaterThan(100);
    // Compactions ran under the load (never on a clean stop: there was none), so kills met them too.
    expect(existsSync(join(dir, "scimkit.json"))).toBe(true);
  }, 120_000);
});
