/** The settings page: navigation between the screens, the live status line, and the screen shown. */
import { useMemo, useState } from "preact/hooks";
import { ActivityScreen } from "./activity.js";
import { createClient } from "./client.js";
import { ConnectionList, ConnectionPage, ConnectWizard } from "./connections.js";
import { GroupsScreen } from "./groups.js";
import { App, type AppContext, type View } from "./kit.js";
import type { AdminStrings } from "./strings.js";
import { UsersScreen } from "./users.js";

const TABS = [
  { name: "connections", label: "navConnections" },
  { name: "groups", label: "navGroups" },
  { name: "users", label: "navUsers" },
  { name: "activity", label: "navActivity" },
] as const;

/** The tab a view belongs to. */
const tabOf = (v: View) => (v.name === "connect" || v.name === "connection" ? "connections" : v.name);

export function AdminApp(props: { api: string; strings: AdminStrings; lang: string }) {
  const [view, setView] = useState<View>({ name: "connections" });
  const [navigated, setNavigated] = useState(false);
  const [status, setStatus] = useState({ text: "", n: 0 });
  const client = useMemo(() => createClient(props.api), [props.api]);
  const context: AppContext = {
    client,
    strings: props.strings,
    lang: props.lang,
    navigated,
    go: (next) => {
      setNavigated(true);
      setView(next);
      // What was said about the last screen does not belong to the next one.
      setStatus((s) => ({ text: "", n: s.n + 1 }));
    },
    // A counter in the key re-creates the line, so the same message is announced again.
    announce: (text) => setStatus((s) => ({ text, n: s.n + 1 })),
  };
  const s = props.strings;
  const current = tabOf(view);
  const key = view.name === "connection" ? `connection:${view.id}` : view.name;
  return (
    <App.Provider value={context}>
      <div class="app">
        <nav aria-label={s.navLabel}>
          <ul>
            {TABS.map((tab) => (
              <li key={tab.name}>
                <button
                  type="button"
                  class="tab"
                  aria-current={current === tab.name ? "page" : undefined}
                  onClick={() => context.go({ name: tab.name })}
                >
                  {s[tab.label]}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <div class="status" role="status" aria-live="polite">
          {status.text && <p key={status.n}>{status.text}</p>}
        </div>
        <div class="screen" key={key}>
          {view.name === "connections" && <ConnectionList />}
          {view.name === "connect" && <ConnectWizard />}
          {view.name === "connection" && <ConnectionPage id={view.id} />}
          {view.name === "groups" && <GroupsScreen />}
          {view.name === "users" && <UsersScreen />}
          {view.name === "activity" && <ActivityScreen />}
        </div>
      </div>
    </App.Provider>
  );
}
