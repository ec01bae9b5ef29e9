/**
 * Connections: the list, the step-by-step wizard that connects an IdP (create → copy the URL and
 * the token, shown once → the IdP's setup steps → check the first request), and one connection's
 * page (token regeneration, health and troubleshooting, deprovisioning, settings).
 */
import { useState } from "preact/hooks";
import {
  ApiError,
  type Connection,
  type Deprovisioning,
  type Health,
  type IdpKind,
  idpKinds,
  type Minted,
  type SetupGuide,
  type Token,
} from "./client.js";
import {
  ActionError,
  Await,
  Badge,
  CopyField,
  Dialog,
  fieldError,
  Notice,
  ScreenHeading,
  useAction,
  useApp,
  useLoad,
} from "./kit.js";
import type { AdminStrings } from "./strings.js";

const idpKey = (idp: IdpKind) => `idp.${idp}` as keyof AdminStrings;

export function ConnectionList() {
  const { client, t, go, when } = useApp();
  const loaded = useLoad(() => client.get<{ items: Connection[] }>("/connections"));
  return (
    <section>
      <ScreenHeading>{t("connectionsTitle")}</ScreenHeading>
      <p class="intro">{t("connectionsIntro")}</p>
      <p>
        <button type="button" class="primary" onClick={() => go({ name: "connect" })}>
          {t("connectIdp")}
        </button>
      </p>
      <Await loaded={loaded}>
        {({ items }) =>
          items.length === 0 ? (
            <p class="empty">{t("connectionsEmpty")}</p>
          ) : (
            <table>
              <caption class="sr-only">{t("connectionsTitle")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("colName")}</th>
                  <th scope="col">{t("colIdp")}</th>
                  <th scope="col">{t("colStatus")}</th>
                  <th scope="col">{t("colLastRequest")}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <button
                        type="button"
                        class="link"
                        aria-label={t("open", { name: c.name })}
                        onClick={() => go({ name: "connection", id: c.id })}
                      >
                        {c.name}
                      </button>{" "}
                      {c.primary && <Badge tone="neutral">{t("primary")}</Badge>}
                    </td>
                    <td>{t(idpKey(c.idp))}</td>
                    <td>
                      {c.enabled ? (
                        <Badge tone="good">{t("statusEnabled")}</Badge>
                      ) : (
                        <Badge tone="bad">{t("statusDisabled")}</Badge>
                      )}
                    </td>
                    <td>{when(c.lastUsedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Await>
    </section>
  );
}

/** The token just created or regenerated, with the base URL: the only time the secret is shown. */
export function TokenReveal(props: { baseUrl: string; secret: string; idpLabel: string; onDone?: () => void }) {
  const { t } = useApp();
  return (
    <div class="reveal">
      <p>{t("credentialsIntro", { idp: props.idpLabel })}</p>
      <CopyField label={t("baseUrl")} value={props.baseUrl} />
      <CopyField label={t("token")} value={props.secret} secret />
      <div class="notice warning" role="note">
        <p>
          <strong>{t("tokenShownOnce")}.</strong> {t("tokenShownOnceDetail")}
        </p>
      </div>
      {props.onDone && (
        <button type="button" onClick={props.onDone}>
          {t("tokenDone")}
        </button>
      )}
    </div>
  );
}

const STEPS = ["stepChoose", "stepCredentials", "stepSetup", "stepCheck"] as const;

export function ConnectWizard() {
  const { client, t, go, announce } = useApp();
  const [step, setStep] = useState(0);
  const [idp, setIdp] = useState<IdpKind>("okta");
  const [name, setName] = useState("");
  const [connection, setConnection] = useState<Connection | null>(null);
  const [minted, setMinted] = useState<Minted | null>(null);
  const action = useAction();
  const idpLabel = t(idpKey(connection?.idp ?? idp));
  const title = t(STEPS[step] as keyof AdminStrings);

  const create = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const c =
        connection ??
        (await client.send<Connection>("POST", "/connections", { name: name.trim() || t(idpKey(idp)), idp }));
      setConnection(c);
      setMinted(await client.send<Minted>("POST", `/connections/${c.id}/tokens`, {}));
      setStep(1);
      announce(t("stepOf", { n: 2, total: STEPS.length, title: t("stepCredentials") }));
    });
  };

  const next = (n: number) => {
    setStep(n);
    announce(t("stepOf", { n: n + 1, total: STEPS.length, title: t(STEPS[n] as keyof AdminStrings) }));
  };

  return (
    <section>
      <ScreenHeading>{t("wizardTitle")}</ScreenHeading>
      <ol class="steps" aria-label={t("wizardProgress")}>
        {STEPS.map((s, i) => (
          <li
            key={s}
            class={i === step ? "current" : i < step ? "done" : ""}
            aria-current={i === step ? "step" : undefined}
          >
            {t(s)}
          </li>
        ))}
      </ol>
      <h3>{t("stepOf", { n: step + 1, total: STEPS.length, title })}</h3>
      {step === 0 && (
        <form onSubmit={create}>
          <fieldset>
            <legend>{t("chooseIdp")}</legend>
            <div class="choices">
              {idpKinds.map((k) => (
                <label key={k} class="choice">
                  <input type="radio" name="idp" value={k} checked={idp === k} onChange={() => setIdp(k)} />
                  {t(idpKey(k))}
                </label>
              ))}
            </div>
          </fieldset>
          <div class="field">
            <label for="scimkit-connection-name">{t("connectionName")}</label>
            <input
              id="scimkit-connection-name"
              type="text"
              value={name}
              placeholder={t(idpKey(idp))}
              maxLength={200}
              aria-describedby="scimkit-connection-name-hint"
              aria-invalid={fieldError(action.error, "name") ? "true" : undefined}
              onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)}
            />
            <p id="scimkit-connection-name-hint" class="hint">
              {t("connectionNameHint")}
            </p>
          </div>
          <ActionError error={action.error} />
          <div class="actions">
            <button type="submit" class="primary" disabled={action.busy}>
              {t("createConnection")}
            </button>
            <button type="button" onClick={() => go({ name: "connections" })}>
              {t("cancel")}
            </button>
          </div>
        </form>
      )}
      {step === 1 && minted && (
        <>
          <TokenReveal baseUrl={minted.scimBaseUrl} secret={minted.secret} idpLabel={idpLabel} />
          <div class="actions">
            <button type="button" class="primary" onClick={() => next(2)}>
              {t("nextSetup", { idp: idpLabel })}
            </button>
          </div>
        </>
      )}
      {step === 2 && connection && (
        <>
          <SetupSteps connectionId={connection.id} />
          <div class="actions">
            <button type="button" onClick={() => next(1)}>
              {t("back")}
            </button>
            <button type="button" class="primary" onClick={() => next(3)}>
              {t("nextCheck")}
            </button>
          </div>
        </>
      )}
      {step === 3 && connection && (
        <>
          <HealthPanel connectionId={connection.id} idpLabel={idpLabel} checking />
          <div class="actions">
            <button type="button" class="primary" onClick={() => go({ name: "connection", id: connection.id })}>
              {t("finish")}
            </button>
          </div>
        </>
      )}
    </section>
  );
}

function SetupSteps(props: { connectionId: string }) {
  const { client, t } = useApp();
  const loaded = useLoad(
    () => client.get<SetupGuide>(`/connections/${props.connectionId}/setup`),
    [props.connectionId],
  );
  return (
    <Await loaded={loaded}>
      {(guide) => (
        <div class="setup">
          <ol class="guide">
            {guide.steps.map((s) => (
              <li key={s.title}>
                <strong>{s.title}</strong>
                <p>{s.detail}</p>
              </li>
            ))}
          </ol>
          {guide.notes.length > 0 && (
            <>
              <h4>{t("notesTitle")}</h4>
              <ul>
                {guide.notes.map((n) => (
                  <li key={n}>{n}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </Await>
  );
}

/** Hints tied to what actually failed: each failing status seen in the window, and the state of the connection. */
function hintsFor(health: Health, t: ReturnType<typeof useApp>["t"]): string[] {
  const hints: string[] = [];
  if (!health.enabled) hints.push(t("hintDisabled"));
  if (health.lastRequestAt === null && health.lastUsedAt === null) hints.push(t("hintNoRequest"));
  const count = (s: string) => health.byStatus[s] ?? 0;
  for (const s of ["401", "403", "404", "409", "400", "429"] as const) {
    if (s === "403" && !health.enabled) continue;
    if (count(s) > 0) hints.push(t(`hint${s}` as keyof AdminStrings, { count: count(s) }));
  }
  const server = Object.entries(health.byStatus)
    .filter(([s]) => Number(s) >= 500)
    .reduce((n, [, c]) => n + c, 0);
  if (server > 0) hints.push(t("hint5xx", { count: server }));
  return hints;
}

export function HealthPanel(props: { connectionId: string; idpLabel: string; checking?: boolean }) {
  const { client, t, when } = useApp();
  const loaded = useLoad(() => client.get<Health>(`/connections/${props.connectionId}/health`), [props.connectionId]);
  return (
    <Await loaded={loaded}>
      {(h) => {
        const hints = hintsFor(h, t);
        const seen = h.lastRequestAt ?? h.lastUsedAt;
        return (
          <div class="health">
            {props.checking && (
              <div role="status">
                {seen === null ? (
                  <Notice tone="info">{t("checkWaiting", { idp: props.idpLabel })}</Notice>
                ) : h.failures > 0 ? (
                  <Notice tone="warning">{t("checkErrors", { idp: props.idpLabel })}</Notice>
                ) : (
                  <Notice tone="success">{t("checkConnected", { idp: props.idpLabel, when: when(seen) })}</Notice>
                )}
              </div>
            )}
            <dl class="stats" aria-label={t("healthWindow", { minutes: h.windowMinutes })}>
              <div>
                <dt>{t("healthLastRequest")}</dt>
                <dd>{when(h.lastRequestAt)}</dd>
              </div>
              <div>
                <dt>{t("healthLastUsed")}</dt>
                <dd>{when(h.lastUsedAt)}</dd>
              </div>
              <div>
                <dt>{t("healthRequests")}</dt>
                <dd>{h.requests}</dd>
              </div>
              <div>
                <dt>{t("healthFailures")}</dt>
                <dd>{h.failures}</dd>
              </div>
              <div>
                <dt>{t("healthUnauthorized")}</dt>
                <dd>{h.unauthorized}</dd>
              </div>
              <div>
                <dt>{t("healthForbidden")}</dt>
                <dd>{h.forbidden}</dd>
              </div>
            </dl>
            <p class="muted">{t("healthWindow", { minutes: h.windowMinutes })}</p>
            {h.lastError && (
              <p>
                <strong>{t("healthLastError")}:</strong>{" "}
                {t("healthLastErrorValue", {
                  status: h.lastError.status,
                  when: when(h.lastError.at),
                  detail: h.lastError.detail,
                })}
              </p>
            )}
            <h4>{t("troubleshootingTitle")}</h4>
            {hints.length === 0 ? (
              <p>{t("healthOk")}</p>
            ) : (
              <ul class="hints">
                {hints.map((hint) => (
                  <li key={hint}>{hint}</li>
                ))}
              </ul>
            )}
            {h.tolerances.length > 0 && (
              <ul class="muted">
                {h.tolerances.map((x) => (
                  <li key={x.name}>{t("toleranceNote", { count: x.requests, name: x.name })}</li>
                ))}
              </ul>
            )}
            <button type="button" onClick={loaded.reload} disabled={loaded.loading}>
              {t("checkAgain")}
            </button>
          </div>
        );
      }}
    </Await>
  );
}

export function ConnectionPage(props: { id: string }) {
  const { client, t, go } = useApp();
  const loaded = useLoad(() => client.get<Connection>(`/connections/${props.id}`), [props.id]);
  return (
    <section>
      <p>
        <button type="button" class="link" onClick={() => go({ name: "connections" })}>
          ← {t("backToConnections")}
        </button>
      </p>
      <Await loaded={loaded}>{(c) => <ConnectionBody connection={c} reload={loaded.reload} />}</Await>
    </section>
  );
}

function ConnectionBody(props: { connection: Connection; reload: () => void }) {
  const { t } = useApp();
  const c = props.connection;
  const idpLabel = t(idpKey(c.idp));
  return (
    <>
      <ScreenHeading>{t("connectionTitle", { name: c.name })}</ScreenHeading>
      <p>
        {idpLabel} {c.primary && <Badge tone="neutral">{t("primary")}</Badge>}{" "}
        {c.enabled ? <Badge tone="good">{t("statusEnabled")}</Badge> : <Badge tone="bad">{t("statusDisabled")}</Badge>}
      </p>
      <div class="card">
        <CopyField label={t("baseUrl")} value={c.scimBaseUrl} />
      </div>
      <Tokens connection={c} idpLabel={idpLabel} />
      <div class="card">
        <h3>{t("healthTitle")}</h3>
        <HealthPanel connectionId={c.id} idpLabel={idpLabel} />
      </div>
      <details class="card">
        <summary>{t("setupShow")}</summary>
        <h3>{t("setupTitle", { idp: idpLabel })}</h3>
        <SetupSteps connectionId={c.id} />
      </details>
      <DeprovisioningForm connectionId={c.id} />
      <ConnectionSettings connection={c} reload={props.reload} />
    </>
  );
}

const OVERLAPS = [
  { seconds: 0, key: "overlapNone" },
  { seconds: 3600, key: "overlapHour" },
  { seconds: 86400, key: "overlapDay" },
  { seconds: 604800, key: "overlapWeek" },
] as const;

function Tokens(props: { connection: Connection; idpLabel: string }) {
  const { client, t, when, announce } = useApp();
  const c = props.connection;
  const loaded = useLoad(() => client.get<{ items: Token[] }>(`/connections/${c.id}/tokens`), [c.id]);
  const [confirming, setConfirming] = useState(false);
  const [overlap, setOverlap] = useState(3600);
  const [minted, setMinted] = useState<Minted | null>(null);
  const action = useAction();
  const statusLabel = { active: t("tokenActive"), expired: t("tokenExpired"), revoked: t("tokenRevoked") };

  const create = () =>
    action.run(async () => {
      setMinted(await client.send<Minted>("POST", `/connections/${c.id}/tokens`, {}));
      loaded.reload();
    });
  const rotate = () =>
    action.run(async () => {
      const m = await client.send<Minted>("POST", `/connections/${c.id}/tokens/rotate`, { overlapSeconds: overlap });
      setConfirming(false);
      setMinted(m);
      const until = m.stillValid[0]?.expiresAt ?? null;
      announce(until === null ? t("regeneratedNow") : t("regenerated", { when: when(until) }));
      loaded.reload();
    });

  return (
    <div class="card">
      <h3>{t("tokensTitle")}</h3>
      {minted && (
        <TokenReveal
          baseUrl={minted.scimBaseUrl}
          secret={minted.secret}
          idpLabel={props.idpLabel}
          onDone={() => setMinted(null)}
        />
      )}
      <Await loaded={loaded}>
        {({ items }) => {
          const working = items.some((x) => x.status === "active");
          return (
            <>
              {items.length === 0 ? (
                <p class="empty">{t("tokensEmpty")}</p>
              ) : (
                <table>
                  <caption class="sr-only">{t("tokensTitle")}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t("colToken")}</th>
                      <th scope="col">{t("colStatus")}</th>
                      <th scope="col">{t("colCreated")}</th>
                      <th scope="col">{t("colLastUsed")}</th>
                      <th scope="col">{t("colExpires")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((x) => (
                      <tr key={x.id}>
                        <td class="mono">{x.hint ?? "scimkit_…"}</td>
                        <td>
                          <Badge tone={x.status === "active" ? "good" : "neutral"}>{statusLabel[x.status]}</Badge>
                        </td>
                        <td>{when(x.createdAt)}</td>
                        <td>{when(x.lastUsedAt)}</td>
                        <td>
                          {x.status === "revoked" ? when(x.revokedAt) : x.expiresAt ? when(x.expiresAt) : t("never")}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {!confirming && <ActionError error={action.error} />}
              <p>
                {working ? (
                  <button type="button" onClick={() => setConfirming(true)}>
                    {t("regenerate")}
                  </button>
                ) : (
                  <button type="button" class="primary" onClick={create} disabled={action.busy}>
                    {t("createToken")}
                  </button>
                )}
              </p>
            </>
          );
        }}
      </Await>
      {confirming && (
        <Dialog
          title={t("regenerateTitle")}
          onClose={() => {
            setConfirming(false);
            action.clear();
          }}
          busy={action.busy}
          actions={
            <button type="button" class="primary" onClick={rotate} disabled={action.busy}>
              {t("regenerateConfirm")}
            </button>
          }
        >
          <p>{t("regenerateBody", { idp: props.idpLabel })}</p>
          <fieldset>
            <legend>{t("overlapLabel")}</legend>
            {OVERLAPS.map((o) => (
              <label key={o.seconds} class="choice">
                <input
                  type="radio"
                  name="overlap"
                  value={o.seconds}
                  checked={overlap === o.seconds}
                  onChange={() => setOverlap(o.seconds)}
                />
                {t(o.key)}
              </label>
            ))}
          </fieldset>
          <ActionError error={action.error} />
        </Dialog>
      )}
    </div>
  );
}

type Mode = "deactivate" | "delete" | "later";

function DeprovisioningForm(props: { connectionId: string }) {
  const { client, t, announce } = useApp();
  const loaded = useLoad(
    () => client.get<Deprovisioning>(`/connections/${props.connectionId}/deprovisioning`),
    [props.connectionId],
  );
  return (
    <div class="card">
      <h3>{t("deprovisioningTitle")}</h3>
      <p class="intro">{t("deprovisioningIntro")}</p>
      <Await loaded={loaded}>
        {(p) => (
          <DeprovisioningFields
            key={JSON.stringify(p)}
            policy={p}
            connectionId={props.connectionId}
            onSaved={() => announce(t("saved"))}
          />
        )}
      </Await>
    </div>
  );
}

function DeprovisioningFields(props: { policy: Deprovisioning; connectionId: string; onSaved: () => void }) {
  const { client, t } = useApp();
  const p = props.policy;
  const [mode, setMode] = useState<Mode>(typeof p.onDeactivate === "object" ? "later" : p.onDeactivate);
  const [days, setDays] = useState(
    typeof p.onDeactivate === "object" ? String(p.onDeactivate.deactivateThenDeleteAfterDays) : "30",
  );
  const [onDelete, setOnDelete] = useState(p.onDelete);
  const action = useAction();
  const daysError =
    action.error instanceof ApiError
      ? action.error.issues.find((i) => i.path.includes("deactivateThenDeleteAfterDays"))?.message
      : undefined;
  const save = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      await client.send("PUT", `/connections/${props.connectionId}/deprovisioning`, {
        onDeactivate: mode === "later" ? { deactivateThenDeleteAfterDays: Number(days) } : mode,
        onDelete,
      });
      props.onSaved();
    });
  };
  const modes: [Mode, keyof AdminStrings][] = [
    ["deactivate", "onDeactivateDeactivate"],
    ["delete", "onDeactivateDelete"],
    ["later", "onDeactivateLater"],
  ];
  return (
    <form onSubmit={save}>
      <fieldset>
        <legend>{t("onDeactivateLegend")}</legend>
        {modes.map(([m, key]) => (
          <label key={m} class="choice">
            <input type="radio" name="onDeactivate" value={m} checked={mode === m} onChange={() => setMode(m)} />
            {t(key)}
          </label>
        ))}
        {mode === "later" && (
          <div class="field inline">
            <label for="scimkit-days">{t("daysLabel")}</label>
            <input
              id="scimkit-days"
              type="number"
              min={1}
              max={3650}
              value={days}
              aria-invalid={daysError ? "true" : undefined}
              aria-describedby={daysError ? "scimkit-days-error" : undefined}
              onInput={(e) => setDays((e.currentTarget as HTMLInputElement).value)}
            />
            {daysError && (
              <p id="scimkit-days-error" class="field-error">
                {daysError}
              </p>
            )}
          </div>
        )}
      </fieldset>
      <fieldset>
        <legend>{t("onDeleteLegend")}</legend>
        <label class="choice">
          <input
            type="radio"
            name="onDelete"
            value="hard"
            checked={onDelete === "hard"}
            onChange={() => setOnDelete("hard")}
          />
          {t("onDeleteHard")}
        </label>
        <label class="choice">
          <input
            type="radio"
            name="onDelete"
            value="tombstone"
            checked={onDelete === "tombstone"}
            onChange={() => setOnDelete("tombstone")}
          />
          {t("onDeleteTombstone")}
        </label>
      </fieldset>
      <ActionError error={action.error} />
      <button type="submit" class="primary" disabled={action.busy}>
        {t("save")}
      </button>
    </form>
  );
}

function ConnectionSettings(props: { connection: Connection; reload: () => void }) {
  const { client, t, go, announce } = useApp();
  const c = props.connection;
  const [name, setName] = useState(c.name);
  const [deleting, setDeleting] = useState(false);
  const [resources, setResources] = useState<"keep" | "delete">("keep");
  const action = useAction();
  const patch = (body: Record<string, unknown>) =>
    action.run(async () => {
      await client.send("PATCH", `/connections/${c.id}`, body);
      announce(t("saved"));
      props.reload();
    });
  const remove = () =>
    action.run(async () => {
      await client.send("DELETE", `/connections/${c.id}?resources=${resources}`);
      announce(t("deleted"));
      go({ name: "connections" });
    });
  return (
    <div class="card">
      <h3>{t("connectionSettingsTitle")}</h3>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void patch({ name });
        }}
      >
        <div class="field">
          <label for="scimkit-rename">{t("rename")}</label>
          <input
            id="scimkit-rename"
            type="text"
            value={name}
            maxLength={200}
            aria-invalid={fieldError(action.error, "name") ? "true" : undefined}
            onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)}
          />
        </div>
        <button type="submit" disabled={action.busy}>
          {t("save")}
        </button>
      </form>
      {!c.enabled && <p>{t("disabledNote")}</p>}
      {!deleting && <ActionError error={action.error} />}
      <div class="actions">
        <button type="button" onClick={() => patch({ enabled: !c.enabled })} disabled={action.busy}>
          {c.enabled ? t("disable") : t("enable")}
        </button>
        {!c.primary && (
          <button type="button" onClick={() => patch({ primary: true })} disabled={action.busy}>
            {t("makePrimary")}
          </button>
        )}
        <button type="button" class="danger" onClick={() => setDeleting(true)}>
          {t("deleteConnection")}
        </button>
      </div>
      {deleting && (
        <Dialog
          title={t("deleteTitle", { name: c.name })}
          onClose={() => setDeleting(false)}
          busy={action.busy}
          actions={
            <button type="button" class="danger" onClick={remove} disabled={action.busy}>
              {t("deleteConfirm")}
            </button>
          }
        >
          <p>{t("deleteBody")}</p>
          <fieldset>
            <legend class="sr-only">{t("deleteBody")}</legend>
            <label class="choice">
              <input
                type="radio"
                name="resources"
                checked={resources === "keep"}
                onChange={() => setResources("keep")}
              />
              {t("deleteKeep")}
            </label>
            <label class="choice">
              <input
                type="radio"
                name="resources"
                checked={resources === "delete"}
                onChange={() => setResources("delete")}
              />
              {t("deleteAll")}
            </label>
          </fieldset>
          <ActionError error={action.error} />
        </Dialog>
      )}
    </div>
  );
}
