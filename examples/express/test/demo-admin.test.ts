import { fileURLToPath } from "node:url";
import { freePort, type RunningExample, startExample } from "@scimkit/example-scenarios";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** `pnpm demo`: the admin page beside the SCIM server, its URL printed, the demo policy's two roles on it. */
describe("the demo's admin page", () => {
  let demo: RunningExample | undefined;
  beforeAll(async () => {
    demo = await startExample({
      dir: fileURLToPath(new URL("..", import.meta.url)),
      env: { PORT: String(await freePort()) },
    });
  }, 120_000);
  afterAll(() => demo?.kill());

  it("prints the admin page's URL beside the SCIM base URL and serves the page there", async () => {
    // Printed after the two lines the start waits for: it may arrive a moment later.
    const printed = () => /^Admin page: (\S+)/m.exec(demo?.output() ?? "")?.[1];
    await expect.poll(printed).toBe(`http://127.0.0.1:${demo?.port}/admin/`);
    const admin = printed();
    const page = await fetch(admin ?? "");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<scimkit-admin api="/admin"');
    const script = await fetch(`http://127.0.0.1:${demo?.port}/admin/assets/scimkit-admin.js`);
    expect(script.status).toBe(200);
  });

  it("shows the demo connection and the demo policy's two roles, and the IdP's users as they arrive", async () => {
    const api = `http://127.0.0.1:${demo?.port}/admin`;
    const connections = (await (await fetch(`${api}/connections`)).json()) as { items: { name: string }[] };
    expect(connections.items.map((c) => c.name)).toEqual(["Demo IdP"]);
    const roles = (await (await fetch(`${api}/roles`)).json()) as { items: { label: string }[] };
    expect(roles.items.map((r) => r.label)).toEqual(["Admin", "Member"]);
    const created = await fetch(`${demo?.baseUrl}/Users`, {
      method: "POST",
      headers: { authorization: `Bearer ${demo?.token}`, "content-type": "application/scim+json" },
      body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "ada@example.com" }),
    });
    expect(created.status).toBe(201);
    const users = (await (await fetch(`${api}/users`)).json()) as { items: { userName: string; roles: string[] }[] };
    expect(users.items).toEqual([expect.objectContaining({ userName: "ada@example.com", roles: ["member"] })]);
    const activity = (await (await fetch(`${api}/activity?limit=5`)).json()) as { items: { operation: string }[] };
    expect(activity.items.map((e) => e.operation)).toContain("create User");
  });
});
