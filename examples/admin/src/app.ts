/**
 * A host app with a fake login (two organisations, one admin each) and the scimkit admin mounted:
 * the settings page at `/admin/` (served by `@scimkit/admin`, the admin API under the same mount),
 * and the same page embedded in the host's own settings page at `/settings` as `<scimkit-admin>`,
 * in the host's colours. The SCIM server is at `/scim/v2`.
 *
 * The login is a stand-in for the host's real sessions: a random session id in an HttpOnly cookie,
 * kept in memory. `authorize` is the only place the admin API learns who is calling.
 */
import { randomBytes } from "node:crypto";
import { createAdminApi } from "@scimkit/admin";
import { createMemoryStore, createScimServer, type ScimServer } from "@scimkit/core";
import { createExpressMiddleware } from "@scimkit/express";
import express, { type Express } from "express";

/** The host's organisations and their admins. */
export const ADMINS = {
  alice: {
    tenantId: "acme",
    organisation: "Acme Inc.",
    actor: { id: "alice", name: "Alice Archer", email: "alice@acme.example" },
  },
  bob: {
    tenantId: "globex",
    organisation: "Globex Corp.",
    actor: { id: "bob", name: "Bob Brown", email: "bob@globex.example" },
  },
} as const;
type AdminKey = keyof typeof ADMINS;

const COOKIE = "example_session";

export interface Example {
  readonly app: Express;
  readonly scim: ScimServer;
}

export function createExample(options: { readonly now?: () => Date } = {}): Example {
  const scim = createScimServer({
    store: createMemoryStore(),
    ...(options.now ? { now: options.now } : {}),
    // Pushed groups grant nothing until an admin maps them to one of these roles.
    policy: {
      roles: [
        { id: "admin", label: "Admin", priority: 10 },
        { id: "member", label: "Member" },
      ],
      fallbackRole: "member",
    },
  });

  const sessions = new Map<string, AdminKey>();
  const sessionOf = (cookie: string | null | undefined): AdminKey | null => {
    const id = /(?:^|;\s*)example_session=([A-Za-z0-9_-]+)/.exec(cookie ?? "")?.[1];
    return id === undefined ? null : (sessions.get(id) ?? null);
  };

  const admin = createAdminApi(scim, {
    ...(options.now ? { now: options.now } : {}),
    basePath: "/admin",
    scimBaseUrl: (request) => `${new URL(request.url).origin}/scim/v2`,
    authorize: (request) => {
      const who = sessionOf(request.headers.get("cookie"));
      return who === null ? null : { tenantId: ADMINS[who].tenantId, actor: ADMINS[who].actor };
    },
  });

  const app = express();
  app.use("/scim/v2", createExpressMiddleware(scim));
  app.use("/admin", createExpressMiddleware(admin));

  app.get("/", (req, res) => {
    const who = sessionOf(req.headers.cookie);
    res.type("html").send(
      page(
        "Example host",
        `<h1>Example host</h1>
<p>${who ? `Signed in as ${ADMINS[who].actor.name} (${ADMINS[who].organisation}).` : "A fake login: pick an admin."}</p>
${Object.entries(ADMINS)
  .map(
    ([key, a]) => `<form method="post" action="/login"><input type="hidden" name="as" value="${key}">
<button type="submit">Sign in as ${a.actor.name} (${a.organisation})</button></form>`,
  )
  .join("\n")}
<p><a href="/admin/">Provisioning page</a> · <a href="/settings">Settings page with the page embedded</a></p>`,
      ),
    );
  });

  app.post("/login", express.urlencoded({ extended: false }), (req, res) => {
    const key = (req.body as { as?: string } | undefined)?.as;
    if (key !== "alice" && key !== "bob") {
      res.status(400).send("Unknown admin");
      return;
    }
    const id = randomBytes(24).toString("base64url");
    sessions.set(id, key);
    res.cookie(COOKIE, id, { httpOnly: true, sameSite: "lax", path: "/" });
    res.redirect(303, "/admin/");
  });

  app.post("/logout", (req, res) => {
    const id = /(?:^|;\s*)example_session=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? "")?.[1];
    if (id !== undefined) sessions.delete(id);
    res.clearCookie(COOKIE, { path: "/" });
    res.redirect(303, "/");
  });

  // The host's own page, in its own look, with the settings page embedded as a web component.
  app.get("/settings", (req, res) => {
    const who = sessionOf(req.headers.cookie);
    res.type("html").send(
      page(
        "Settings",
        `<header class="host"><strong>${who ? ADMINS[who].organisation : "Example host"}</strong> · Settings</header>
<main>
<h1>Provisioning</h1>
<scimkit-admin api="/admin"></scimkit-admin>
</main>
<script type="module" src="/admin/assets/scimkit-admin.js"></script>`,
        `body { margin: 0; font-family: Georgia, serif; background: #faf7f2; color: #2b2118; }
header.host { padding: 0.75rem 1.5rem; background: #4a1d6e; color: #fff; }
main { max-width: 70rem; margin: 0 auto; padding: 1rem 1.5rem; }
scimkit-admin {
  --scimkit-font: Georgia, serif;
  --scimkit-accent: #4a1d6e;
  --scimkit-focus: #4a1d6e;
  --scimkit-bg: #faf7f2;
  --scimkit-surface: #fffdf9;
  --scimkit-border: #d8cfc4;
  --scimkit-radius: 2px;
}`,
      ),
    );
  });

  return { app, scim };
}

function page(title: string, body: string, css = "body { font-family: system-ui, sans-serif; margin: 2rem; }"): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>${css}</style></head>
<body>
${body}
</body>
</html>`;
}
