import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChildConfig, ServerKind } from "../protocol.js";
import { SCENARIOS, seededRandom, type ScenarioId, type ScenarioRequest } from "../scenarios.js";
import { BARE_PATH } from "./bare.js";
import { startServer, type BenchServer } from "./server.js";

const USERS = 150;
const OUTSIDERS = 10;

async function serve(kind: ServerKind): Promise<{ bench: BenchServer; http: Server; url: string }> {
  const config: ChildConfig = { kind, users: USERS, outsiders: OUTSIDERS, seedBudgetMs: 60_000 };
  const bench = await startServer(config, () => {});
  const http = createServer(bench.listener);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return { bench, http, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}

async function send(
  url: string,
  token: string,
  r: ScenarioRequest,
): Promise<{ status: number; body: Record<string, unknown> | null }> {
  const res = await fetch(`${url}${r.path}`, {
    method: r.method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
    ...(r.body === undefined ? {} : { body: r.body }),
  });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : (JSON.parse(text) as Record<string, unknown>) };
}

const scenario = (id: ScenarioId) => {
  const s = SCENARIOS.find((x) => x.id === id);
  if (s === undefined) throw new Error(id);
  return s;
};

// Every SCIM server must answer every scenario with 2xx and the same meaning; a non-2xx in a run
// would then be the server's doing, never the harness's.
describe.each<ServerKind>(["scimkit-memory", "scimkit-durable", "scimkit-pglite", "scimmy"])(
  "%s under the scenarios",
  (kind) => {
    let server: Awaited<ReturnType<typeof serve>>;
    beforeAll(async () => {
      server = await serve(kind);
    }, 60_000);
    afterAll(async () => {
      server.http.closeAllConnections();
      await new Promise((r) => server.http.close(r));
      await server.bench.close();
    });
    const run = async (id: ScenarioId, times: number) => {
      const next = scenario(id).plan(server.bench.fixtures, seededRandom(7));
      const out = [];
      for (let i = 0; i < times; i++) out.push(await send(server.url, server.bench.fixtures.token, next()));
      return out;
    };

    it("seeds every user, every outsider and the whole group", () => {
      expect(server.bench.seed).toMatchObject({ usersWanted: USERS, usersSeeded: USERS, membersSeeded: USERS });
      expect(server.bench.fixtures.userIds).toHaveLength(USERS);
      expect(server.bench.fixtures.outsiderIds).toHaveLength(OUTSIDERS);
    });

    it("GET /Users/{id} returns the user", async () => {
      for (const r of await run("get-user", 5)) {
        expect(r.status).toBe(200);
        expect(String(r.body?.["userName"])).toMatch(/^user\d+@example\.com$/);
      }
    });

    it("userName eq finds exactly one user, sw exactly 11, a page holds 100", async () => {
      for (const r of await run("filter-eq", 5)) expect([r.status, r.body?.["totalResults"]]).toEqual([200, 1]);
      for (const r of await run("filter-sw", 5))
        expect([r.status, r.body?.["totalResults"], ((r.body?.["Resources"] ?? []) as unknown[]).length]).toEqual([
          200, 11, 11,
        ]);
      for (const r of await run("page-100", 5))
        expect([r.status, ((r.body?.["Resources"] ?? []) as unknown[]).length]).toEqual([200, 100]);
    });

    it("offers cursors along the whole list where the server pages by cursor, each starting a page of 100", async () => {
      const cursors = server.bench.fixtures.cursors ?? [];
      if (kind === "scimmy") {
        expect(cursors).toEqual([]);
        return;
      }
      // USERS + OUTSIDERS users, pages of 100: every page but the last gives a nextCursor.
      expect(cursors).toHaveLength(Math.ceil((USERS + OUTSIDERS) / 100) - 1);
      // The one cursor there is starts the second and last page: the users after the first 100.
      for (const r of await run("page-cursor", 3)) {
        expect(r.status).toBe(200);
        expect(((r.body?.["Resources"] ?? []) as unknown[]).length).toBe(USERS + OUTSIDERS - 100);
        expect(r.body).not.toHaveProperty("nextCursor");
      }
    });

    it("GET of the big group leaves members out", async () => {
      for (const r of await run("get-group", 2)) {
        expect(r.status).toBe(200);
        expect(r.body?.["displayName"]).toBe("Everyone");
        expect(r.body).not.toHaveProperty("members");
      }
    });

    it("accepts every PATCH and POST of the write scenarios", async () => {
      for (const id of ["patch-user", "patch-members", "post-user"] as const) {
        for (const r of await run(id, 3 * OUTSIDERS)) expect(r.status, id).toBeLessThan(300);
      }
    });
  },
);

describe("the bare ceiling", () => {
  it("answers a small fixed JSON body", async () => {
    const server = await serve("bare");
    try {
      const res = await fetch(`${server.url}${BARE_PATH}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: "ok" });
    } finally {
      await new Promise((r) => server.http.close(r));
    }
  });
});
