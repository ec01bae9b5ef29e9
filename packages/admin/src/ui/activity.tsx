/**
 * The activity log: the tenant's audit trail newest first, each entry with who made it (an admin by
 * name, an IdP by its connection, or the policy), what and on which user or group, and its outcome.
 */
import { useState } from "preact/hooks";
import type { Activity, Connection, Group, Page, Role, User } from "./client.js";
import { ActionError, Await, Badge, ScreenHeading, useAction, useApp, useLoad } from "./kit.js";
import type { AdminStrings } from "./strings.js";

const LIMIT = 50;

interface Names {
  readonly connections: ReadonlyMap<string, string>;
  readonly users: ReadonlyMap<string, string>;
  readonly groups: ReadonlyMap<string, string>;
  readonly roles: ReadonlyMap<string, string>;
}

const text = (v: unknown): string | null => (typeof v === "string" ? v : null);

export function ActivityScreen() {
  const { client, t } = useApp();
  const [connectionId, setConnectionId] = useState("");
  const names = useLoad(async (): Promise<Names & { list: Connection[] }> => {
    const [c, u, g, r] = await Promise.all([
      client.get<{ items: Connection[] }>("/connections"),
      client.get<Page<User>>("/users?count=200"),
      client.get<Page<Group>>("/groups?count=200"),
      client.get<{ items: Role[] }>("/roles"),
    ]);
    return {
      list: c.items,
      connections: new Map(c.items.map((x) => [x.id, x.name])),
      users: new Map(u.items.map((x) => [x.id, x.userName])),
      groups: new Map(g.items.map((x) => [x.id, x.displayName ?? x.id])),
      roles: new Map(r.items.map((x) => [x.id, x.label])),
    };
  });
  const first = useLoad(
    () =>
      client.get<{ items: Activity[]; nextBefore: number | null }>(
        `/activity?limit=${LIMIT}${connectionId ? `&connectionId=${encodeURIComponent(connectionId)}` : ""}`,
      ),
    [connectionId],
  );
  const [older, setOlder] = useState<{ key: string; items: Activity[]; nextBefore: number | null } | null>(null);
  const more = useAction();
  const key = `${connectionId}|${first.data?.items[0]?.seq ?? ""}`;
  const extra = older !== null && older.key === key ? older : null;

  const loadOlder = (before: number) =>
    more.run(async () => {
      const page = await client.get<{ items: Activity[]; nextBefore: number | null }>(
        `/activity?limit=${LIMIT}&before=${before}${connectionId ? `&connectionId=${encodeURIComponent(connectionId)}` : ""}`,
      );
      setOlder({ key, items: [...(extra?.items ?? []), ...page.items], nextBefore: page.nextBefore });
    });

  return (
    <section>
      <ScreenHeading>{t("activityTitle")}</ScreenHeading>
      <p class="intro">{t("activityIntro")}</p>
      <Await loaded={names}>
        {(n) => (
          <>
            <div class="field inline">
              <label for="scimkit-activity-connection">{t("filterConnection")}</label>
              <select
                id="scimkit-activity-connection"
                value={connectionId}
                onChange={(e) => setConnectionId((e.currentTarget as HTMLSelectElement).value)}
              >
                <option value="">{t("allConnections")}</option>
                {n.list.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </div>
            <Await loaded={first}>
              {(page) => {
                const items = [...page.items, ...(extra?.items ?? [])];
                const next = extra ? extra.nextBefore : page.nextBefore;
                return items.length === 0 ? (
                  <p class="empty">{t("activityEmpty")}</p>
                ) : (
                  <>
                    <table class="activity">
                      <caption class="sr-only">{t("activityTitle")}</caption>
                      <thead>
                        <tr>
                          <th scope="col">{t("colWhen")}</th>
                          <th scope="col">{t("colWho")}</th>
                          <th scope="col">{t("colWhat")}</th>
                          <th scope="col">{t("colTarget")}</th>
                          <th scope="col">{t("colOutcome")}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {items.map((e) => (
                          <Row key={e.seq} entry={e} names={n} />
                        ))}
                      </tbody>
                    </table>
                    <ActionError error={more.error} />
                    {next !== null && (
                      <p>
                        <button type="button" onClick={() => loadOlder(next)} disabled={more.busy}>
                          {t("loadOlder")}
                        </button>
                      </p>
                    )}
                  </>
                );
              }}
            </Await>
          </>
        )}
      </Await>
    </section>
  );
}

function Row(props: { entry: Activity; names: Names }) {
  const { t, when, strings } = useApp();
  const e = props.entry;
  const n = props.names;
  const who =
    e.actor.type === "admin"
      ? t("actorAdmin", { name: e.actor.name ?? e.actor.email ?? e.actor.id })
      : e.actor.type === "connection"
        ? t("actorConnection", {
            name: (e.actor.connectionId && n.connections.get(e.actor.connectionId)) || t("actorUnknownConnection"),
          })
        : t("actorSystem");
  const opKey = `op.${e.operation}` as keyof AdminStrings;
  const what = opKey in strings ? t(opKey) : e.operation;
  const snapshot = e.after ?? e.before;
  let target = "";
  if (e.resourceType === "User" && e.resourceId) {
    target = t("targetUser", {
      name: text(snapshot?.["userName"]) ?? n.users.get(e.resourceId) ?? e.resourceId,
    });
  } else if (e.resourceType === "Group" && e.resourceId) {
    target = t("targetGroup", {
      name: text(snapshot?.["displayName"]) ?? n.groups.get(e.resourceId) ?? e.resourceId,
    });
  } else if (e.connectionId && e.operation.startsWith("directory.")) {
    target = n.connections.get(e.connectionId) ?? text(e.facts["name"]) ?? "";
  }
  const roleList = (v: unknown) =>
    Array.isArray(v) && v.length > 0 ? v.map((r) => n.roles.get(String(r)) ?? String(r)).join(", ") : t("none");
  let detail: string | null = null;
  if (e.operation === "policy.role.changed")
    detail = t("rolesChange", { before: roleList(e.facts["before"]), after: roleList(e.facts["after"]) });
  else if (e.operation === "policy.group.mapped") detail = roleList([e.facts["roleId"]]);
  else if (e.operation === "token.minted" || e.operation === "token.revoked") detail = text(e.facts["tokenId"]);
  return (
    <tr>
      <td class="nowrap">{when(e.at)}</td>
      <td>{who}</td>
      <td>
        {what}
        {detail && <div class="muted small">{detail}</div>}
      </td>
      <td>{target}</td>
      <td>
        {e.outcome === "success" ? (
          <Badge tone="good">{t("outcomeSuccess")}</Badge>
        ) : (
          <>
            <Badge tone="bad">{t("outcomeFailure", { status: e.status })}</Badge>
            {e.detail && <div class="muted small">{e.detail}</div>}
          </>
        )}
      </td>
    </tr>
  );
}
