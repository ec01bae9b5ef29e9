/**
 * Groups and roles: the pushed groups, inactive until mapped; choosing a role opens a preview of
 * who gains or loses which role, and only applying it changes anything.
 */
import { useState } from "preact/hooks";
import type { Group, Page, Preview, Role } from "./client.js";
import { ActionError, Await, Badge, Dialog, ScreenHeading, useAction, useApp, useLoad } from "./kit.js";

interface Pending {
  readonly group: Group;
  readonly roleId: string | null;
  readonly preview: Preview;
}

export function rolesText(roles: readonly string[] | null, labels: ReadonlyMap<string, string>, none: string): string {
  return roles === null || roles.length === 0 ? none : roles.map((r) => labels.get(r) ?? r).join(", ");
}

export function GroupsScreen() {
  const { client, t, announce } = useApp();
  const loaded = useLoad(async () => {
    const [roles, groups] = await Promise.all([
      client.get<{ items: Role[] }>("/roles"),
      client.get<Page<Group>>("/groups?count=200"),
    ]);
    return { roles: roles.items, groups: groups.items };
  });
  const [choice, setChoice] = useState<Record<string, string>>({});
  const [pending, setPending] = useState<Pending | null>(null);
  const action = useAction();

  const preview = (group: Group, roleId: string | null) =>
    action.run(async () => {
      const q = roleId === null ? "" : `?roleId=${encodeURIComponent(roleId)}`;
      setPending({ group, roleId, preview: await client.get<Preview>(`/groups/${group.id}/role/preview${q}`) });
    });

  const apply = (labels: ReadonlyMap<string, string>) =>
    action.run(async () => {
      if (pending === null) return;
      const name = pending.group.displayName ?? pending.group.id;
      const path = `/groups/${pending.group.id}/role`;
      const r =
        pending.roleId === null
          ? await client.send<{ roleChanges: unknown[] }>("DELETE", path)
          : await client.send<{ roleChanges: unknown[] }>("PUT", path, { roleId: pending.roleId });
      setPending(null);
      setChoice((c) => {
        const { [pending.group.id]: _, ...rest } = c;
        return rest;
      });
      announce(
        pending.roleId === null
          ? t("unmapped", { group: name, count: r.roleChanges.length })
          : t("mapped", {
              group: name,
              role: labels.get(pending.roleId) ?? pending.roleId,
              count: r.roleChanges.length,
            }),
      );
      loaded.reload();
    });

  return (
    <section>
      <ScreenHeading>{t("groupsTitle")}</ScreenHeading>
      <p class="intro">{t("groupsIntro")}</p>
      <Await loaded={loaded}>
        {({ roles, groups }) => {
          const labels = new Map(roles.map((r) => [r.id, r.label]));
          return (
            <>
              {!pending && <ActionError error={action.error} />}
              {groups.length === 0 ? (
                <p class="empty">{t("groupsEmpty")}</p>
              ) : (
                <table>
                  <caption class="sr-only">{t("groupsTitle")}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t("colGroup")}</th>
                      <th scope="col">{t("colMembers")}</th>
                      <th scope="col">{t("colStatus")}</th>
                      <th scope="col">{t("colRole")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {groups.map((g) => {
                      const name = g.displayName ?? g.id;
                      const selected = choice[g.id] ?? g.roleId ?? "";
                      const id = `scimkit-role-${g.id}`;
                      return (
                        <tr key={g.id}>
                          <th scope="row">{name}</th>
                          <td>{g.memberCount}</td>
                          <td>
                            {g.active ? (
                              <Badge tone="good">{t("groupActive")}</Badge>
                            ) : (
                              <Badge tone="warning">{t("groupInactive")}</Badge>
                            )}
                          </td>
                          <td>
                            <div class="row">
                              <label for={id} class="sr-only">
                                {t("roleFor", { group: name })}
                              </label>
                              <select
                                id={id}
                                value={selected}
                                onChange={(e) => {
                                  const value = (e.currentTarget as HTMLSelectElement).value;
                                  setChoice((c) => ({ ...c, [g.id]: value }));
                                }}
                              >
                                <option value="">{t("noRole")}</option>
                                {roles.map((r) => (
                                  <option key={r.id} value={r.id}>
                                    {r.label}
                                  </option>
                                ))}
                              </select>
                              <button
                                type="button"
                                // Not disabled while a preview loads: the button keeps focus, which returns to it after the dialog.
                                disabled={selected === (g.roleId ?? "")}
                                onClick={() => preview(g, selected === "" ? null : selected)}
                              >
                                {t("preview")}
                                <span class="sr-only"> {t("roleFor", { group: name })}</span>
                              </button>
                            </div>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              )}
              {pending && (
                <PreviewDialog
                  pending={pending}
                  labels={labels}
                  busy={action.busy}
                  error={action.error}
                  onApply={() => apply(labels)}
                  onClose={() => {
                    setPending(null);
                    action.clear();
                  }}
                />
              )}
            </>
          );
        }}
      </Await>
    </section>
  );
}

function PreviewDialog(props: {
  pending: Pending;
  labels: ReadonlyMap<string, string>;
  busy: boolean;
  error: unknown;
  onApply: () => void;
  onClose: () => void;
}) {
  const { t } = useApp();
  const { group, roleId, preview } = props.pending;
  const name = group.displayName ?? group.id;
  const roles = (r: string[] | null) => rolesText(r, props.labels, t("none"));
  return (
    <Dialog
      title={
        roleId === null
          ? t("previewUnmapTitle", { group: name })
          : t("previewTitle", { group: name, role: props.labels.get(roleId) ?? roleId })
      }
      onClose={props.onClose}
      busy={props.busy}
      actions={
        <button type="button" class="primary" onClick={props.onApply} disabled={props.busy}>
          {t("apply")}
        </button>
      }
    >
      {preview.changes.length === 0 ? (
        <p>{t("previewNone")}</p>
      ) : (
        <>
          <p>{t("previewChanges", { count: preview.changes.length })}</p>
          <table>
            <caption class="sr-only">{t("previewChanges", { count: preview.changes.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("colUser")}</th>
                <th scope="col">{t("colBefore")}</th>
                <th scope="col">{t("colAfter")}</th>
              </tr>
            </thead>
            <tbody>
              {preview.changes.map((c) => (
                <tr key={c.userId}>
                  <th scope="row">{c.userName}</th>
                  <td>{roles(c.before)}</td>
                  <td>{roles(c.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {preview.unchanged > 0 && <p>{t("previewUnchanged", { count: preview.unchanged })}</p>}
      {preview.excluded.length > 0 && <p>{t("previewExcluded", { count: preview.excluded.length })}</p>}
      <ActionError error={props.error} />
    </Dialog>
  );
}
