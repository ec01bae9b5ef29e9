/**
 * What every screen shares: the app context (strings, API client, navigation, announcements), data
 * loading, and the accessible building blocks (headings that take focus, notices, copy fields,
 * modal dialogs, badges).
 */
import type { ComponentChildren } from "preact";
import { createContext } from "preact";
import { useCallback, useContext, useEffect, useId, useRef, useState } from "preact/hooks";
import { ApiError, type Client } from "./client.js";
import { format, type AdminStrings } from "./strings.js";

export type View =
  | { readonly name: "connections" }
  | { readonly name: "connect" }
  | { readonly name: "connection"; readonly id: string }
  | { readonly name: "groups" }
  | { readonly name: "users" }
  | { readonly name: "activity" };

export interface AppContext {
  readonly client: Client;
  readonly strings: AdminStrings;
  readonly lang: string;
  go(view: View): void;
  /** Says something in the page's live region (a status line sighted users see too). */
  announce(message: string): void;
  /** True once the admin has moved between screens: headings then take focus. */
  readonly navigated: boolean;
}

export const App = createContext<AppContext | null>(null);

export function useApp() {
  const app = useContext(App);
  if (app === null) throw new Error("outside <scimkit-admin>");
  const t = (key: keyof AdminStrings, values?: Readonly<Record<string, string | number>>) =>
    format(app.strings[key], values);
  const when = (iso: string | null) => {
    if (iso === null) return app.strings.never;
    try {
      return new Intl.DateTimeFormat(app.lang, { dateStyle: "medium", timeStyle: "medium" }).format(new Date(iso));
    } catch {
      return iso;
    }
  };
  return { ...app, t, when };
}

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  reload(): void;
}

/** Loads `load()` now and on `reload()`; the latest call wins. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[] = []): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (error: unknown) => live && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [tick, ...deps]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

/** Shows what a load is waiting for, or why it failed, or its content. */
export function Await<T>(props: { loaded: Loaded<T>; children: (data: T) => ComponentChildren }) {
  const { t } = useApp();
  const { data, error, loading, reload } = props.loaded;
  if (error !== undefined && data === undefined) return <LoadError error={error} retry={reload} />;
  if (data === undefined)
    return (
      <p class="muted" aria-busy="true">
        {loading ? t("loading") : ""}
      </p>
    );
  return <>{props.children(data)}</>;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function LoadError(props: { error: unknown; retry?: () => void }) {
  const { t } = useApp();
  if (props.error instanceof ApiError && props.error.status === 401)
    return <Notice tone="warning">{t("signedOut")}</Notice>;
  return (
    <Notice tone="error">
      {t("loadFailed", { message: messageOf(props.error) })}{" "}
      {props.retry && (
        <button type="button" class="link" onClick={props.retry}>
          {t("retry")}
        </button>
      )}
    </Notice>
  );
}

/** A failure of an action, in an alert (announced at once). */
export function ActionError(props: { error: unknown }) {
  const { t } = useApp();
  if (props.error === undefined || props.error === null) return null;
  if (props.error instanceof ApiError && props.error.status === 401)
    return <Notice tone="error">{t("signedOut")}</Notice>;
  const issues = props.error instanceof ApiError ? props.error.issues : [];
  return (
    <div role="alert" class="notice error">
      <p>{messageOf(props.error)}</p>
      {issues.length > 0 && (
        <ul>
          {issues.map((i) => (
            <li key={i.path.join(".")}>
              {t("errorIn", { field: i.path.slice(1).join(".") || i.path.join("."), message: i.message })}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Notice(props: { tone: "info" | "warning" | "error" | "success"; children: ComponentChildren }) {
  return <div class={`notice ${props.tone}`}>{props.children}</div>;
}

export function Badge(props: { tone: "good" | "neutral" | "warning" | "bad"; children: ComponentChildren }) {
  return <span class={`badge ${props.tone}`}>{props.children}</span>;
}

/** The screen's heading; it takes focus when the admin navigated to the screen, so readers start there. */
export function ScreenHeading(props: { children: ComponentChildren }) {
  const { navigated } = useApp();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (navigated) ref.current?.focus();
  }, [navigated]);
  return (
    <h2 ref={ref} tabIndex={-1}>
      {props.children}
    </h2>
  );
}

/** A value to paste elsewhere: labelled, selectable, with a copy button. */
export function CopyField(props: { label: string; value: string; secret?: boolean }) {
  const { t, announce } = useApp();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
    } catch {
      input.current?.select();
      if (!document.execCommand("copy")) {
        announce(t("copyFailed"));
        return;
      }
    }
    setCopied(true);
    announce(t("copiedStatus", { label: props.label }));
  };
  return (
    <div class="field copy">
      <label for={id}>{props.label}</label>
      <div class="row">
        <input
          id={id}
          ref={input}
          type="text"
          readOnly
          value={props.value}
          class={props.secret ? "mono secret" : "mono"}
          spellcheck={false}
          autoComplete="off"
          onFocus={(e) => (e.currentTarget as HTMLInputElement).select()}
        />
        <button type="button" onClick={copy}>
          {copied ? t("copied") : t("copy")}
          <span class="sr-only"> {props.label}</span>
        </button>
      </div>
    </div>
  );
}

/**
 * A modal dialog (the native `<dialog>`: focus moves in and stays there, Escape closes it, focus
 * returns to where it was). `onClose` runs on Escape and on the cancel button.
 */
export function Dialog(props: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  /** The confirming button(s); a cancel button is always added. */
  actions: ComponentChildren;
  busy?: boolean;
}) {
  const { t } = useApp();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    // Where focus was (inside the element's shadow root): it goes back there when the dialog goes.
    const previous = (d?.getRootNode() as Document | ShadowRoot | undefined)?.activeElement;
    if (d && !d.open) d.showModal();
    return () => {
      d?.close();
      if (previous instanceof HTMLElement && previous.isConnected) previous.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-busy={props.busy ? "true" : undefined}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <h3 id={titleId}>{props.title}</h3>
      <div class="dialog-body">{props.children}</div>
      <div class="actions">
        {props.actions}
        <button type="button" onClick={props.onClose}>
          {t("cancel")}
        </button>
      </div>
    </dialog>
  );
}

/** Runs an action once at a time, keeping its error for display. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (action: () => Promise<void>) => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, clear: () => setError(undefined) };
}

export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.about(field) : undefined;
}
