/**
 * SCIMMY with `scimmy-routers` on Express 4 (its routers page wrongly on Express 5), backed by the
 * straightforward in-memory handlers its documentation describes: a Map by id, SCIMMY's own
 * `filter.match` for filters, and SCIMMY's own sorting and paging of what egress returns. One extra
 * Map by lower-cased userName answers 409 for duplicates, as RFC 7644 requires.
 *
 * SCIMMY keeps its resource declarations in module state, so a process hosts one SCIMMY server.
 */
import { randomUUID } from "node:crypto";
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";
import { withinBudget } from "./budget.js";
import { GROUP_SCHEMA, addMembersBody, outsiderName, userBody, userName } from "./people.js";
import { SCIM_BASE, type ChildConfig, type Fixtures, type SeedReport } from "../protocol.js";
import type { BenchServer } from "./server.js";

type Shadow = SCIMMY.Types.Resource.ShadowAttributes;
/** What the handlers keep: the resource as SCIMMY handed it over, as plain JSON, with id and meta. */
type Stored<S> = Omit<S, Shadow> & {
  id: string;
  meta: { resourceType: string; created: string; lastModified: string };
};
type UserRow = Stored<SCIMMY.Schemas.User>;
type GroupRow = Stored<SCIMMY.Schemas.Group>;

const TOKEN = "bench-scimmy-token";
const MEMBER_BATCH = 1_000;

const plain = <S>(instance: S): Omit<S, Shadow> => JSON.parse(JSON.stringify(instance)) as Omit<S, Shadow>;

/** Ids and timestamps are the handler's job in SCIMMY; `created` survives updates. */
function stamp<S>(instance: S, id: string, previous: Stored<S> | undefined, resourceType: "User" | "Group"): Stored<S> {
  const now = new Date().toISOString();
  return { ...plain(instance), id, meta: { resourceType, created: previous?.meta.created ?? now, lastModified: now } };
}

// SCIMMY's typings ask for a scimType string; at run time it omits a null one from the error body.
const notFound = (id: string | undefined) =>
  new SCIMMY.Types.Error(404, null as unknown as string, `Resource ${id} not found`);

let declared = false;
const users = new Map<string, UserRow>();
const userNames = new Map<string, string>();
const groups = new Map<string, GroupRow>();

function declare(): void {
  if (declared) return;
  declared = true;
  SCIMMY.Resources.declare(SCIMMY.Resources.User)
    .ingress((resource, instance) => {
      const previous = resource.id === undefined ? undefined : users.get(resource.id);
      if (resource.id !== undefined && previous === undefined) throw notFound(resource.id);
      const id = resource.id ?? randomUUID();
      const row = stamp(instance, id, previous, "User");
      const key = row.userName.toLowerCase();
      const holder = userNames.get(key);
      if (holder !== undefined && holder !== id)
        throw new SCIMMY.Types.Error(409, "uniqueness", "userName is already taken");
      if (previous !== undefined) userNames.delete(previous.userName.toLowerCase());
      userNames.set(key, id);
      users.set(id, row);
      return row;
    })
    .egress((resource) => {
      if (resource.id !== undefined) {
        const row = users.get(resource.id);
        if (row === undefined) throw notFound(resource.id);
        return row;
      }
      const all = [...users.values()];
      return resource.filter === undefined ? all : resource.filter.match(all);
    })
    .degress((resource) => {
      const row = resource.id === undefined ? undefined : users.get(resource.id);
      if (row === undefined) throw notFound(resource.id);
      users.delete(row.id);
      userNames.delete(row.userName.toLowerCase());
    });
  SCIMMY.Resources.declare(SCIMMY.Resources.Group)
    .ingress((resource, instance) => {
      const previous = resource.id === undefined ? undefined : groups.get(resource.id);
      if (resource.id !== undefined && previous === undefined) throw notFound(resource.id);
      const id = resource.id ?? randomUUID();
      const row = stamp(instance, id, previous, "Group");
      groups.set(id, row);
      return row;
    })
    .egress((resource) => {
      if (resource.id !== undefined) {
        const row = groups.get(resource.id);
        if (row === undefined) throw notFound(resource.id);
        return row;
      }
      const all = [...groups.values()];
      return resource.filter === undefined ? all : resource.filter.match(all);
    })
    .degress((resource) => {
      if (resource.id === undefined || !groups.delete(resource.id)) throw notFound(resource.id);
    });
}

async function createUsers(
  count: number,
  name: (i: number) => string,
  tag: string,
  budgetMs: number,
  progress: (done: number) => void,
) {
  const ids: string[] = [];
  const outcome = await withinBudget(
    count,
    500,
    budgetMs,
    async (from, to) => {
      for (let i = from; i < to; i++) {
        const written = (await new SCIMMY.Resources.User().write(userBody(name(i), `${tag}${i}`))) as unknown as {
          id: string;
        };
        ids.push(written.id);
      }
    },
    progress,
  );
  return { ids, seconds: outcome.seconds };
}

export async function startScimmy(config: ChildConfig, progress: (text: string) => void): Promise<BenchServer> {
  declare();
  // Seeding through SCIMMY's resource API: the same validation and ingress a POST or PATCH gets.
  const seeded = await createUsers(config.users, userName, "u", config.seedBudgetMs, (n) =>
    progress(`users ${n}/${config.users}`),
  );
  const outsiders = await createUsers(config.outsiders, outsiderName, "o", config.seedBudgetMs, () => {});
  const group = (await new SCIMMY.Resources.Group().write({
    schemas: [GROUP_SCHEMA],
    displayName: "Everyone",
    members: [],
  })) as unknown as { id: string };
  // The second half of the outsiders starts in the group: the membership scenario removes them first.
  await new SCIMMY.Resources.Group(group.id).patch(
    addMembersBody(outsiders.ids.slice(outsiders.ids.length / 2)) as Parameters<SCIMMY.Types.Resource["patch"]>[0],
  );
  // Each PATCH reads the whole group through egress, applies the operation and writes it back:
  // the cost grows with the group, which is why this step is bounded in time.
  const members = await withinBudget(
    seeded.ids.length,
    MEMBER_BATCH,
    config.seedBudgetMs,
    async (from, to) => {
      await new SCIMMY.Resources.Group(group.id).patch(
        addMembersBody(seeded.ids.slice(from, to)) as Parameters<SCIMMY.Types.Resource["patch"]>[0],
      );
    },
    (n) => progress(`members ${n}/${seeded.ids.length}`),
  );

  const seed: SeedReport = {
    usersWanted: config.users,
    usersSeeded: seeded.ids.length,
    userSeconds: seeded.seconds,
    membersWanted: config.users,
    membersSeeded: members.done,
    memberSeconds: members.seconds,
    method: `SCIMMY resource API in-process: User.write one by one, then Group.patch adding ${MEMBER_BATCH.toLocaleString("en-US")} members at a time`,
  };
  const fixtures: Fixtures = { token: TOKEN, userIds: seeded.ids, outsiderIds: outsiders.ids, groupId: group.id };

  const app = express();
  app.disable("x-powered-by");
  app.use(
    SCIM_BASE,
    new SCIMMYRouters({
      type: "bearer",
      handler: (req) => {
        if (req.header("authorization") !== `Bearer ${TOKEN}`) throw new Error("Authorization not detected");
        return "bench";
      },
    }),
  );
  return { listener: app, seed, fixtures, close: async () => {} };
}
