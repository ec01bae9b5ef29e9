/**
 * `pnpm start` as the README runs it: prints the SCIM base URL and a bearer token on the first start;
 * a restart reuses the directory, mints nothing, and the token the IdP holds keeps working. Needs the
 * PostgreSQL server (the entry point connects with `pg` to DATABASE_URL); CI sets SCIMKIT_TEST_PG_URL.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createScimServer } from "@scimkit/core";
import { createPgDriver, createPostgresStore } from "@scimkit/postgres";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { PG_URL } from "./support.js";

const mainEntry = fileURLToPath(new URL("../src/main.ts", import.meta.url));

interface Started {
  readonly lines: string[];
  stop(): Promise<number | null>;
}

/** Starts the app and resolves once it printed its three lines. */
function startApp(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", mainEntry], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("Mirroring")) {
        resolve({
          lines: out.split("\n"),
          stop: () => {
            child.kill("SIGTERM");
            return exited;
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`the app exited (${code}) before it started: ${out}`)));
  });
}

const printed = (lines: readonly string[], label: string) =>
  lines.find((l) => l.startsWith(`${label}: `))?.slice(label.length + 2) ?? "";

const usersStatus = async (baseUrl: string, token: string) =>
  (await fetch(`${baseUrl}/Users?count=0`, { headers: { authorization: `Bearer ${token}` } })).status;

describe.skipIf(!PG_URL)("pnpm start", () => {
  const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const env = {
    DATABASE_URL: PG_URL ?? "",
    PORT: "0",
    SCIMKIT_SCHEMA: `mirror_scim_start_${suffix}`,
    APP_SCHEMA: `mirror_app_start_${suffix}`,
  };
  afterEach(async () => {
    const pool = new pg.Pool({ connectionString: PG_URL });
    await pool.query(`DROP SCHEMA IF EXISTS "${env.SCIMKIT_SCHEMA}" CASCADE`);
    await pool.query(`DROP SCHEMA IF EXISTS "${env.APP_SCHEMA}" CASCADE`);
    await pool.end();
  });

  it("prints the base URL and a token once, and reuses the directory and token on restart", async () => {
    const first = await startApp(env);
    const baseUrl = printed(first.lines, "SCIM base URL");
    const token = printed(first.lines, "Bearer token");
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scim\/v2$/);
    expect(token).toMatch(/^scimkit_/);
    expect(await usersStatus(baseUrl, token)).toBe(200);
    expect(await first.stop()).toBe(0);

    const second = await startApp(env);
    const again = printed(second.lines, "SCIM base URL");
    expect(printed(second.lines, "Bearer token")).not.toMatch(/scimkit_/);
    expect(await usersStatus(again, token)).toBe(200);
    expect(await usersStatus(again, "scimkit_not-the-token-the-idp-was-given-000000")).toBe(401);
    expect(await second.stop()).toBe(0);

    const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
    const scim = createScimServer({
      store: createPostgresStore({ driver: createPgDriver(pool), schema: env.SCIMKIT_SCHEMA }),
    });
    const directories = await scim.directories.list("acme");
    expect(directories).toHaveLength(1);
    await scim.close();
    await pool.end();
  });
});
