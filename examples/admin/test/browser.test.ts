/**
 * The settings page in a real browser (Debian's Chromium, driven by playwright-core through its
 * executable path), through the flows it exists for: an admin connects an IdP and copies the base
 * URL and token; an IdP-like client provisions users and pushes groups; the admin maps a group to a
 * role after a preview, excludes a user, reads the activity log and regenerates the token; the old
 * token stops working after the overlap. The other organisation's admin sees none of it. Every
 * screen passes axe-core with no violation.
 *
 * `UPDATE_SCREENSHOTS=1` also writes the screenshots docs/admin.md shows (docs/admin/*.png).
 * `CHROMIUM_PATH` names the browser when `chromium` is not on the PATH.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExample, type Example } from "../src/app.js";

const SHOTS = process.env["UPDATE_SCREENSHOTS"] === "1";
const shotsDir = new URL("../../../docs/admin/", import.meta.url);
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

function chromiumPath(): string {
  const given = process.env["CHROMIUM_PATH"];
  if (given) return given;
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
    } catch {
      // Not this name.
    }
  }
  throw new Error(
    "No Chromium found: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH",
  );
}

/** The server's clock: real time plus an offset the test moves forward (token overlaps end on it). */
let offsetMs = 0;
const now = () => new Date(Date.now() + offsetMs);

let example: Example;
let server: Server;
let origin = "";
let browser: Browser;

beforeAll(async () => {
  example = createExample({ now });
  server = await new Promise<Server>((resolve) => {
    const s = example.app.listen(0, "127.0.0.1", () => resolve(s));
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Root in CI containers has no user namespace sandbox; the page is our own.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
    timeout: 60_000,
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await example?.scim.close();
});

async function signedIn(who: "alice" | "bob"): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1180, height: 860 }, deviceScaleFactor: 1 });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${origin}/`);
  await page.getByRole("button", { name: new RegExp(`Sign in as ${who === "alice" ? "Alice" : "Bob"}`) }).click();
  await page.waitForURL(`${origin}/admin/`);
  await poll(() => heading(page, "Connections").count()).toBe(1);
  return { context, page };
}

/** Waits for a value, generously: a loaded CI machine may take seconds (the first page load builds the script). */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 30_000, interval: 100 });

const heading = (page: Page, name: string) => page.getByRole("heading", { name, exact: true });

/** axe-core over the whole page (the element's shadow root included): no violation. */
async function accessible(page: Page, screen: string): Promise<void> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as any).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map(
      (v: { id: string; help: string; nodes: { target: unknown }[] }) =>
        `${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")})`,
    );
  });
  expect(violations, `axe on ${screen}`).toEqual([]);
}

/** axe, then the screenshot docs/admin.md shows (only with UPDATE_SCREENSHOTS=1). */
async function screen(page: Page, name: string, mask: Locator[] = [], fullPage = true): Promise<void> {
  await accessible(page, name);
  if (SHOTS) {
    await page.screenshot({
      path: new URL(`${name}.png`, shotsDir).pathname,
      fullPage,
      mask,
      maskColor: "#c9d1d9",
      animations: "disabled",
    });
  }
}

async function nav(page: Page, tab: string, title: string): Promise<void> {
  await page.getByRole("navigation", { name: "Provisioning settings" }).getByRole("button", { name: tab }).click();
  await heading(page, title).waitFor();
}

/** An IdP-like SCIM client. */
function idp(baseUrl: string, token: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/scim+json",
        "user-agent": "Okta SCIM Client 1.0.0",
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === "" ? null : JSON.parse(text) };
  };
}

const userBody = (userName: string, givenName: string, familyName: string) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName,
  name: { givenName, familyName },
  displayName: `${givenName} ${familyName}`,
  emails: [{ value: userName, primary: true, type: "work" }],
  active: true,
});

const deactivate = {
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations: [{ op: "replace", value: { active: false } }],
};

/** The table row holding `text`. */
const row = (page: Page, text: string) => page.locator("tr").filter({ hasText: text });

describe("the settings page in Chromium", () => {
  let acmeConnectionId = "";

  it("walks an admin through the seed flows, each step in the activity log, every screen accessible", async () => {
    const { context, page } = await signedIn("alice");
    await screen(page, "connections-empty");

    // Connect an IdP, step by step.
    await page.getByRole("button", { name: "Connect an identity provider" }).click();
    await heading(page, "Connect an identity provider").waitFor();
    await page.getByLabel("Okta", { exact: true }).check();
    await page.getByLabel("Connection name").fill("Okta");
    await screen(page, "connect-1-idp");
    await page.getByRole("button", { name: "Create the connection" }).click();

    // The base URL and the token, shown once, each copied with its button.
    const tokenField = page.getByLabel("Bearer token");
    await tokenField.waitFor();
    const baseUrl = await page.getByLabel("SCIM base URL").inputValue();
    const token = await tokenField.inputValue();
    expect(baseUrl).toMatch(new RegExp(`^${origin}/scim/v2/[\\w-]+$`));
    expect(token).toMatch(/^scimkit_/);
    acmeConnectionId = baseUrl.split("/").at(-1) ?? "";
    await poll(() => page.getByText("Shown once").count()).toBe(1);
    await page.getByRole("button", { name: "Copy SCIM base URL" }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(baseUrl);
    await page.getByRole("button", { name: "Copy Bearer token" }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    await page.getByRole("status").getByText("Bearer token copied to the clipboard.").waitFor();
    await screen(page, "connect-2-token", [tokenField]);

    await page.getByRole("button", { name: "Next: set up Okta" }).click();
    await page.getByText("Provisioning → Integration", { exact: false }).first().waitFor();
    await screen(page, "connect-3-setup");
    await page.getByRole("button", { name: "Next: check the connection" }).click();
    await page.getByText("Waiting for the first request from Okta").waitFor();
    await accessible(page, "connect-4-waiting");

    // The IdP provisions three users and pushes two groups with them.
    const scim = idp(baseUrl, token);
    const ids: Record<string, string> = {};
    for (const [userName, given, family] of [
      ["ada@acme.example", "Ada", "Lovelace"],
      ["grace@acme.example", "Grace", "Hopper"],
      ["linus@acme.example", "Linus", "Torvalds"],
    ] as const) {
      const r = await scim("POST", "/Users", userBody(userName, given, family));
      expect(r.status).toBe(201);
      ids[given] = r.body.id;
    }
    for (const [displayName, members] of [
      ["Admins", [ids["Ada"], ids["Grace"]]],
      ["Engineers", [ids["Linus"]]],
    ] as const) {
      const r = await scim("POST", "/Groups", {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        displayName,
        members: members.map((value) => ({ value })),
      });
      expect(r.status).toBe(201);
    }
    await page.getByRole("button", { name: "Check again" }).click();
    await page.getByText("Okta is connected").waitFor();
    await screen(page, "connect-4-check");

    await page.getByRole("button", { name: "Finish" }).click();
    await heading(page, "Okta").waitFor();
    await page.getByText("Requests", { exact: true }).waitFor();
    await screen(page, "connection");

    // The pushed groups are inactive until mapped.
    await nav(page, "Groups and roles", "Groups and roles");
    await row(page, "Admins").getByText("Inactive").waitFor();
    await row(page, "Engineers").getByText("Inactive").waitFor();
    await screen(page, "groups");

    // Map Admins to Admin after a preview of who gains it.
    await page.getByLabel("Role for Admins").selectOption("admin");
    await page.getByRole("button", { name: "Preview Role for Admins" }).click();
    const preview = page.getByRole("dialog", { name: "Map Admins to Admin?" });
    await preview.waitFor();
    for (const user of ["ada@acme.example", "grace@acme.example"]) {
      await poll(() => preview.locator("tr").filter({ hasText: user }).locator("td").allTextContents()).toEqual([
        "Member",
        "Admin",
      ]);
    }
    // A modal dialog: the viewport, which its backdrop covers.
    await screen(page, "groups-preview", [], false);
    await preview.getByRole("button", { name: "Apply" }).click();
    await page.getByRole("status").getByText("Admins now grants Admin; 2 user(s) changed.").waitFor();
    await row(page, "Admins").getByText("Active", { exact: true }).waitFor();
    expect(await row(page, "Engineers").getByText("Inactive").count()).toBe(1);

    // The users gain the role; exclude Grace.
    await nav(page, "Users", "Users");
    await poll(() => row(page, "ada@acme.example").textContent()).toContain("Admin");
    expect(await row(page, "grace@acme.example").textContent()).toContain("Admin");
    expect(await row(page, "linus@acme.example").textContent()).toContain("Member");
    await page.getByRole("button", { name: "Exclude Grace Hopper" }).click();
    const exclude = page.getByRole("dialog", { name: "Exclude Grace Hopper?" });
    await exclude.getByLabel("Note (why this user is excluded)").fill("Break-glass account");
    await accessible(page, "users-exclude");
    await exclude.getByRole("button", { name: "Exclude", exact: true }).click();
    await page.getByRole("status").getByText("Grace Hopper is excluded.").waitFor();
    await row(page, "Break-glass account").waitFor();

    // The IdP deactivates Ada and Grace: Grace, excluded, stays active.
    expect((await scim("PATCH", `/Users/${ids["Ada"]}`, deactivate)).status).toBe(200);
    expect((await scim("PATCH", `/Users/${ids["Grace"]}`, deactivate)).status).toBeLessThan(300);
    await nav(page, "Activity log", "Activity log");
    await nav(page, "Users", "Users");
    await poll(() => row(page, "ada@acme.example").textContent()).toContain("Inactive");
    const grace = await row(page, "grace@acme.example").first().textContent();
    expect(grace).toContain("Active");
    expect(grace).not.toContain("Inactive");
    expect(grace).toContain("Excluded");
    await screen(page, "users");

    // The activity log shows every step with its actor.
    await nav(page, "Activity log", "Activity log");
    const steps: [what: string, who: string, target?: string][] = [
      ["Created the connection", "Alice Archer (admin)", "Okta"],
      ["Generated a token", "Alice Archer (admin)"],
      ["Created user", "Okta (IdP)", "User ada@acme.example"],
      ["Created user", "Okta (IdP)", "User grace@acme.example"],
      ["Created group", "Okta (IdP)", "Group Admins"],
      ["Mapped a group to a role", "Alice Archer (admin)", "Group Admins"],
      ["Changed a user's roles", "Alice Archer (admin)", "User ada@acme.example"],
      ["Excluded a user", "Alice Archer (admin)", "User grace@acme.example"],
      ["Updated user", "Okta (IdP)", "User ada@acme.example"],
      ["Kept an excluded user active", "Okta (IdP)", "User grace@acme.example"],
    ];
    await row(page, "Kept an excluded user active").first().waitFor();
    for (const [what, who, target] of steps) {
      const found = page
        .locator("tbody tr")
        .filter({ hasText: what })
        .filter({ hasText: who })
        .filter({ hasText: target ?? "" });
      expect(await found.count(), `${what} by ${who} ${target ?? ""}`).toBeGreaterThan(0);
    }
    expect(await row(page, "Member → Admin").count()).toBe(2);
    await screen(page, "activity");

    // Regenerate the token after confirming; the old one keeps working for the overlap, then gets 401.
    await nav(page, "Connections", "Connections");
    await page.getByRole("button", { name: "Open Okta" }).click();
    await heading(page, "Okta").waitFor();
    await page.getByRole("button", { name: "Regenerate the token" }).click();
    const confirm = page.getByRole("dialog", { name: "Regenerate the token?" });
    await confirm.getByLabel("1 hour").check();
    // A modal dialog: the viewport, which its backdrop covers.
    await screen(page, "regenerate", [], false);
    await confirm.getByRole("button", { name: "Regenerate", exact: true }).click();
    await page.getByRole("status").getByText("A new token was created. The previous one works until").waitFor();
    const fresh = await page.getByLabel("Bearer token").inputValue();
    expect(fresh).toMatch(/^scimkit_/);
    expect(fresh).not.toBe(token);
    expect((await scim("GET", "/Users?count=1")).status).toBe(200);
    expect((await idp(baseUrl, fresh)("GET", "/Users?count=1")).status).toBe(200);
    offsetMs += 3601_000;
    expect((await scim("GET", "/Users?count=1")).status).toBe(401);
    expect((await idp(baseUrl, fresh)("GET", "/Users?count=1")).status).toBe(200);
    // The refused token shows on the connection's health, with the hint it calls for.
    await nav(page, "Connections", "Connections");
    await page.getByRole("button", { name: "Open Okta" }).click();
    await page.getByText(/request\(s\) were refused with 401/).waitFor();
    await row(page, token.slice(-4)).getByText("Expired").waitFor();
    await screen(page, "connection-troubleshooting");

    // The host's own settings page, in its own look, embedding the same page.
    await page.goto(`${origin}/settings`);
    await row(page, "Okta").waitFor();
    await screen(page, "embedded");
    await context.close();
  });

  it("is operable with the keyboard alone: tabs, a role preview in a dialog that Escape closes, focus kept", async () => {
    const { context, page } = await signedIn("alice");
    /** What has focus inside the element's shadow root. */
    const focused = () =>
      page.evaluate(() => {
        const a = document.querySelector("scimkit-admin")?.shadowRoot?.activeElement;
        if (!a) return "";
        const label = (a as HTMLSelectElement).labels?.[0]?.textContent ?? a.getAttribute("aria-label");
        return `${a.tagName} ${(label ?? a.textContent ?? "").trim()}`;
      });
    const tabTo = async (want: string) => {
      for (let i = 0; i < 40 && (await focused()) !== want; i++) await page.keyboard.press("Tab");
      expect(await focused()).toBe(want);
    };
    await tabTo("BUTTON Groups and roles");
    await page.keyboard.press("Enter");
    // The new screen's heading takes focus, so a screen reader starts there.
    await poll(focused).toBe("H2 Groups and roles");
    await tabTo("SELECT Role for Engineers");
    await page.keyboard.press("ArrowDown");
    expect(await page.getByLabel("Role for Engineers").inputValue()).toBe("admin");
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("BUTTON Preview Role for Engineers");
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Map Engineers to Admin?" });
    await dialog.waitFor();
    // Focus moved into the modal dialog; Escape closes it without applying anything.
    await poll(focused).toMatch(/^BUTTON (Apply|Cancel)$/);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await poll(focused).toBe("BUTTON Preview Role for Engineers");
    expect(await row(page, "Engineers").getByText("Inactive").count()).toBe(1);
    await context.close();
  });

  it("shows the other organisation's admin none of it, and a signed-out visitor only a sign-in message", async () => {
    const { context, page } = await signedIn("bob");
    await page.getByText("No identity provider is connected yet.").waitFor();
    await nav(page, "Groups and roles", "Groups and roles");
    await page.getByText("No group has been pushed yet.").waitFor();
    await nav(page, "Users", "Users");
    await page.getByText("No user has been provisioned yet.").waitFor();
    await nav(page, "Activity log", "Activity log");
    await page.getByText("Nothing has happened yet.").waitFor();
    await accessible(page, "other tenant");
    // Alice's connection, asked for by id, does not exist for Bob.
    const status = await page.evaluate(
      async (id) => (await fetch(`/admin/connections/${id}`)).status,
      acmeConnectionId,
    );
    expect(status).toBe(404);
    await context.close();

    const anonymous = await browser.newContext();
    const visitor = await anonymous.newPage();
    await visitor.goto(`${origin}/admin/`);
    await visitor.getByText("Sign in as an administrator of your organisation").waitFor();
    await accessible(visitor, "signed out");
    await anonymous.close();
  });
});
