/**
 * The verdict, once the load stopped and every instance is healthy: the database read directly and
 * through the SCIM API against the IdP's model.
 *
 * - every user and group the model knows is present exactly once, in its last acknowledged state
 *   (or, for one whose last write's answer was lost, in the state before or after that write);
 * - group memberships match;
 * - every acknowledged write has its audit entry (by request id) and, committed in the same
 *   transaction, its event;
 * - the feed, read with a cursor during the whole run, skipped no event.
 */
import type pg from "pg";
import type { Send } from "./client.js";
import type { Directory, UserState, WriteRecord } from "./model.js";

interface Row {
  tenant: string;
  id: string;
  user_name_ci: string | null;
  display_name_ci: string | null;
  attributes: {
    userName?: string;
    displayName?: string;
    title?: string;
    active?: boolean;
    name?: { givenName?: string; familyName?: string };
  };
}

const same = (row: Row | undefined, s: UserState): boolean => {
  if (s === null) return row === undefined;
  if (row === undefined) return false;
  const a = row.attributes;
  return (
    a.name?.givenName === s.givenName &&
    a.name?.familyName === s.familyName &&
    a.title === s.title &&
    (a.active ?? true) === s.active
  );
};

export interface FeedView {
  /** Every seq the cursor reader was handed during the run and its final drain. */
  readonly seen: ReadonlySet<number>;
  /** Per tenant, the seqs `events.read(tenant, { after })` returns paging from 0. */
  readonly perTenant: ReadonlyMap<string, number[]>;
}

export interface CheckFigures {
  /** Acknowledged writes not found as acknowledged (a user, a group or a membership). */
  lost: number;
  /** Rows beyond the first for one userName or group displayName. */
  duplicated: number;
  users: number;
  groups: number;
  memberships: number;
  auditChecked: number;
  eventsChecked: number;
  eventsInFeed: number;
}

export async function check(
  db: pg.Client,
  dirs: readonly Directory[],
  writes: readonly WriteRecord[],
  feed: FeedView,
  send: Send,
  violations: string[],
): Promise<CheckFigures> {
  const figures: CheckFigures = {
    lost: 0,
    duplicated: 0,
    users: 0,
    groups: 0,
    memberships: 0,
    auditChecked: 0,
    eventsChecked: 0,
    eventsInFeed: 0,
  };
  const tenants = dirs.map((d) => d.tenantId);

  // No resource twice: one row per userName (and per group displayName) in each tenant.
  const dupes = await db.query<{ tenant: string; type: string; name: string; n: string }>(
    `SELECT tenant, type, coalesce(user_name_ci, display_name_ci) AS name, count(*) AS n
       FROM scimkit.resources WHERE tenant = ANY($1) GROUP BY 1, 2, 3 HAVING count(*) > 1`,
    [tenants],
  );
  for (const d of dupes.rows) {
    figures.duplicated += Number(d.n) - 1;
    violations.push(`duplicate ${d.type} "${d.name}" in ${d.tenant}: ${d.n} rows`);
  }

  const rows = await db.query<Row & { type: string }>(
    "SELECT tenant, type, id, user_name_ci, display_name_ci, attributes FROM scimkit.resources WHERE tenant = ANY($1)",
    [tenants],
  );
  const members = await db.query<{ tenant: string; group_id: string; member_id: string }>(
    "SELECT tenant, group_id, member_id FROM scimkit.members WHERE tenant = ANY($1)",
    [tenants],
  );

  for (const dir of dirs) {
    const users = new Map<string, Row>();
    const groups = new Map<string, Row>();
    for (const r of rows.rows) {
      if (r.tenant !== dir.tenantId) continue;
      if (r.type === "User" && r.user_name_ci !== null) users.set(r.user_name_ci, r);
      if (r.type === "Group" && r.display_name_ci !== null) groups.set(r.display_name_ci, r);
    }
    const known = new Set(dir.users.map((u) => u.userName.toLowerCase()));
    for (const name of users.keys())
      if (!known.has(name)) violations.push(`${dir.tenantId}: user ${name} nobody created`);
    // Users whose existence is in doubt: their memberships are too.
    const doubtful = new Set<string>();
    for (const slot of dir.users) {
      figures.users += 1;
      const row = users.get(slot.userName.toLowerCase());
      if (!slot.possible.some((s) => same(row, s))) {
        figures.lost += 1;
        violations.push(
          `${dir.tenantId}: user ${slot.userName} is ${row ? JSON.stringify(row.attributes) : "absent"}; acknowledged ${JSON.stringify(slot.possible)}`,
        );
      }
      if (row && slot.id !== null && row.id !== slot.id)
        violations.push(`${dir.tenantId}: user ${slot.userName} has id ${row.id}, the IdP was given ${slot.id}`);
      if (slot.possible.some((s) => s === null) && slot.possible.some((s) => s !== null) && slot.id !== null)
        doubtful.add(slot.id);
    }
    // Through the API as well, on a sample (one request each): the filter an IdP uses to match.
    for (const slot of dir.users.filter((_, i) => i % 10 === 0)) {
      const filter = encodeURIComponent(`userName eq "${slot.userName}"`);
      const o = await send(dir.token, "GET", `/Users?filter=${filter}`, undefined, "check");
      if (o.kind !== "answered" || o.status !== 200) {
        violations.push(`check read of ${slot.userName} failed`);
        continue;
      }
      const found = (o.body as { Resources?: { id?: string }[] }).Resources ?? [];
      const row = users.get(slot.userName.toLowerCase());
      if (found.length !== (row ? 1 : 0) || (row && found[0]?.id !== row.id))
        violations.push(`API and database disagree on ${slot.userName}: ${found.length} listed`);
    }

    for (const slot of dir.groups) {
      figures.groups += 1;
      const row = groups.get(slot.displayName.toLowerCase());
      if (slot.created === "yes" && !row) {
        figures.lost += 1;
        violations.push(`${dir.tenantId}: group ${slot.displayName} lost`);
      }
      if (slot.created === "no" && row) violations.push(`${dir.tenantId}: group ${slot.displayName} nobody created`);
      if (!row) continue;
      const actual = members.rows
        .filter((m) => m.tenant === dir.tenantId && m.group_id === row.id && !doubtful.has(m.member_id))
        .map((m) => m.member_id)
        .sort();
      figures.memberships += actual.length;
      const fits = slot.possible.some(
        (p) => JSON.stringify(p.filter((m) => !doubtful.has(m)).sort()) === JSON.stringify(actual),
      );
      if (!fits) {
        figures.lost += 1;
        const expected = new Set(slot.possible[0] ?? []);
        const who = (id: string) => {
          const u = dir.users.find((x) => x.id === id);
          return u ? `${u.userName} ${JSON.stringify(u.possible)}` : id;
        };
        const missing = [...expected].filter((m) => !actual.includes(m)).map(who);
        const extra = actual.filter((m) => !expected.has(m)).map(who);
        violations.push(
          `${dir.tenantId}: group ${slot.displayName} (${row.id}, ${slot.possible.length} possible) is missing ${JSON.stringify(missing)} and has extra ${JSON.stringify(extra)}`,
        );
      }
      const o = await send(dir.token, "GET", `/Groups/${row.id}`, undefined, "check");
      if (o.kind === "answered" && o.status === 200) {
        const listed = ((o.body as { members?: { value?: string }[] }).members ?? [])
          .map((m) => m.value ?? "")
          .filter((m) => !doubtful.has(m))
          .sort();
        if (JSON.stringify(listed) !== JSON.stringify(actual))
          violations.push(`API and database disagree on the members of ${slot.displayName}`);
      } else violations.push(`check read of group ${slot.displayName} failed`);
    }
  }

  // Audit and events: rows one transaction wrote share its id (xmin).
  const logs = await db.query<{
    seq: string;
    log: string;
    tenant: string;
    xid: string;
    request_id: string | null;
    outcome: string | null;
  }>(
    `SELECT seq, log, tenant, xmin::text AS xid, data ->> 'requestId' AS request_id, data ->> 'outcome' AS outcome
       FROM scimkit.logs WHERE tenant = ANY($1)`,
    [tenants],
  );
  const auditByRequest = new Map<string, string[]>();
  const eventsByXid = new Map<string, number>();
  const eventSeqs = new Map<string, number[]>();
  for (const r of logs.rows) {
    if (r.log === "audit" && r.request_id !== null && r.outcome === "success") {
      const list = auditByRequest.get(r.request_id) ?? [];
      list.push(r.xid);
      auditByRequest.set(r.request_id, list);
    } else if (r.log === "events") {
      eventsByXid.set(r.xid, (eventsByXid.get(r.xid) ?? 0) + 1);
      const list = eventSeqs.get(r.tenant) ?? [];
      list.push(Number(r.seq));
      eventSeqs.set(r.tenant, list);
    }
  }
  for (const w of writes) {
    if (!w.acked) continue;
    const xids = w.attemptIds.flatMap((id) => auditByRequest.get(id) ?? []);
    figures.auditChecked += 1;
    if (xids.length === 0) {
      violations.push(`${w.tenantId}: acknowledged ${w.label} has no audit entry`);
      continue;
    }
    if (!w.effective) continue;
    figures.eventsChecked += 1;
    if (!xids.some((x) => (eventsByXid.get(x) ?? 0) > 0))
      violations.push(`${w.tenantId}: acknowledged ${w.label} has no event in its transaction`);
  }

  // The feed: the cursor reader must have been handed every event the database holds, and a
  // tenant's replay from 0 must return them all, strictly increasing.
  for (const [tenant, seqs] of eventSeqs) {
    figures.eventsInFeed += seqs.length;
    const missed = seqs.filter((s) => !feed.seen.has(s));
    if (missed.length > 0)
      violations.push(
        `${tenant}: the readAll cursor skipped ${missed.length} events (seq ${missed.slice(0, 5).join(", ")}…)`,
      );
    const replay = feed.perTenant.get(tenant) ?? [];
    for (let i = 1; i < replay.length; i++)
      if ((replay[i] ?? 0) <= (replay[i - 1] ?? 0)) {
        violations.push(`${tenant}: events.read returned seq ${replay[i]} after ${replay[i - 1]}`);
        break;
      }
    const replayed = new Set(replay);
    const absent = seqs.filter((s) => !replayed.has(s));
    if (absent.length > 0) violations.push(`${tenant}: events.read from 0 left out ${absent.length} events`);
    if (replay.length !== seqs.length)
      violations.push(`${tenant}: events.read returned ${replay.length} events, the table holds ${seqs.length}`);
  }
  return figures;
}
