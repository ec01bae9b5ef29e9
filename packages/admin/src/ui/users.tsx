/**
 * Users: who the IdPs provisioned, with their roles and status; excluding a user (with a note) keeps
 * SCIM from deactivating, deleting or re-roling them, and the excluded users are listed apart.
 */
import { useState } from "preact/hooks";
import type { Exclusion, Page, Role, User } from "./client.js";
import { rolesText } from "./groups.js";
import { ActionError, Await, Badge, Dialog, ScreenHeading, useAction, useApp, useLoad } from "./kit.js";

const PAGE = 50;

const nameOf = (u: User) =>
  u.displayName ?? u.name.formatted ?? ([u.name.givenName, u.name.familyName].filter(Boolean).join(" ") || u.userName);

export function UsersScreen() {
  const { client, t, when, announce } = useApp();
  const [query, setQuery] = useState("");
  const [search, setSearch] = useState("");
  const [start, setStart] = useState(1);
  const loaded = useLoad(async () => {
    const q = new URLSearchParams({ startIndex: String(start), count: String(PAGE) });
    if (search !== "") q.set("q", search);
    const [users, roles, exclusions] = await Promise.all([
      client.get<Page<User>>(`/users?${q}`),
      client.get<{ items: Role[] }>("/roles"),
      client.get<{ items: Exclusion[] }>("/exclusions"),
    ]);
    return { users, labels: new Map(roles.items.map((r) => [r.id, r.label])), exclusions: exclusions.items };
  }, [search, start]);
  const [excluding, setExcluding] = useState<User | null>(null);
  const [note, setNote] = useState("");
  const action = useAction();

  const exclude = () =>
    action.run(async () => {
      if (excluding === null) return;
      await client.send("PUT", `/exclusions/${excluding.id}`, note.trim() === "" ? {} : { note: note.trim() });
      announce(t("excluded", { user: nameOf(excluding) }));
      setExcluding(null);
      setNote("");
      loaded.reload();
    });
  const include = (u: User) =>
    action.run(async () => {
      await client.send("DELETE", `/exclusions/${u.id}`);
      announce(t("included", { user: nameOf(u) }));
      loaded.reload();
    });

  return (
    <section>
      <ScreenHeading>{t("usersTitle")}</ScreenHeading>
      <p class="intro">{t("usersIntro")}</p>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          setStart(1);
          setSearch(query.trim());
        }}
      >
        <label for="scimkit-user-search" class="sr-only">
          {t("search")}
        </label>
        <input
          id="scimkit-user-search"
          type="search"
          value={query}
          placeholder={t("search")}
          onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit">{t("searchButton")}</button>
      </form>
      <Await loaded={loaded}>
        {({ users, labels, exclusions }) => (
          <>
            {!excluding && <ActionError error={action.error} />}
            {users.items.length === 0 ? (
              <p class="empty">{search === "" ? t("usersEmpty") : t("usersNoMatch")}</p>
            ) : (
              <table>
                <caption class="sr-only">{t("usersTitle")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("colUser")}</th>
                    <th scope="col">{t("colEmail")}</th>
                    <th scope="col">{t("colStatus")}</th>
                    <th scope="col">{t("colRoles")}</th>
                    <th scope="col">{t("colActions")}</th>
                  </tr>
                </thead>
                <tbody>
                  {users.items.map((u) => (
                    <tr key={u.id}>
                      <th scope="row">
                        {nameOf(u)}
                        <div class="muted small">{u.userName}</div>
                      </th>
                      <td>{u.email ?? ""}</td>
                      <td>
                        {u.active ? (
                          <Badge tone="good">{t("userActive")}</Badge>
                        ) : (
                          <Badge tone="bad">{t("userInactive")}</Badge>
                        )}{" "}
                        {u.excluded && <Badge tone="warning">{t("excludedBadge")}</Badge>}
                      </td>
                      <td>{rolesText(u.roles, labels, t("none"))}</td>
                      <td>
                        {u.excluded ? (
                          <button type="button" onClick={() => include(u)} disabled={action.busy}>
                            {t("include", { user: nameOf(u) })}
                          </button>
                        ) : (
                          <button type="button" onClick={() => setExcluding(u)}>
                            {t("exclude", { user: nameOf(u) })}
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {users.total > PAGE && (
              <nav class="row pager" aria-label={t("usersTitle")}>
                <button type="button" disabled={start === 1} onClick={() => setStart(Math.max(1, start - PAGE))}>
                  {t("previousPage")}
                </button>
                <span>
                  {t("pageOf", {
                    from: start,
                    to: Math.min(users.total, start + users.items.length - 1),
                    total: users.total,
                  })}
                </span>
                <button type="button" disabled={start + PAGE > users.total} onClick={() => setStart(start + PAGE)}>
                  {t("nextPage")}
                </button>
              </nav>
            )}
            <h3>{t("exclusionsTitle")}</h3>
            {exclusions.length === 0 ? (
              <p class="empty">{t("exclusionsEmpty")}</p>
            ) : (
              <table>
                <caption class="sr-only">{t("exclusionsTitle")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("colUser")}</th>
                    <th scope="col">{t("colSince")}</th>
                    <th scope="col">{t("colNote")}</th>
                  </tr>
                </thead>
                <tbody>
                  {exclusions.map((x) => (
                    <tr key={x.userId}>
                      <th scope="row">{x.userName ?? x.userId}</th>
                      <td>{when(x.excludedAt)}</td>
                      <td>{x.note ?? ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Await>
      {excluding && (
        <Dialog
          title={t("excludeTitle", { user: nameOf(excluding) })}
          onClose={() => {
            setExcluding(null);
            action.clear();
          }}
          busy={action.busy}
          actions={
            <button type="button" class="primary" onClick={exclude} disabled={action.busy}>
              {t("excludeConfirm")}
            </button>
          }
        >
          <p>{t("excludeBody")}</p>
          <div class="field">
            <label for="scimkit-exclude-note">{t("excludeNote")}</label>
            <textarea
              id="scimkit-exclude-note"
              rows={3}
              maxLength={1000}
              value={note}
              onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)}
            />
          </div>
          <ActionError error={action.error} />
        </Dialog>
      )}
    </section>
  );
}
