import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, type RunningExample, startExample } from "@scimkit/example-scenarios";
import { afterAll, describe, expect, it } from "vitest";

const dir = fileURLToPath(new URL("..", import.meta.url));

/**
 * Starts the demo as `pnpm start` does and resolves with what it printed once it prints `until`: a
 * restart that keeps its token prints no token line, which is what `startExample` waits for.
 */
function startPrinting(env: Record<string, string>, until: RegExp) {
  const { NODE_ENV: _testMode, ...inherited } = process.env;
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", "src/main.ts"], {
    cwd: dir,
    env: { ...inherited, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in time:\n${out}`)), 110_000);
    const check = () => {
      if (until.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString("utf8");
      check();
    });
    child.stderr.on("data", (c: Buffer) => void (out += c.toString("utf8")));
    child.once("exit", () => {
      clearTimeout(timer);
      reject(new Error(`exited before it was ready:\n${out}`));
    });
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return { ready, stop };
}

describe("the demo restarted on its data folder", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "scimkit-restart-"));
  let first: RunningExample | undefined;
  let second: ReturnType<typeof startPrinting> | undefined;
  afterAll(async () => {
    first?.kill();
    await second?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("reuses its directory and keeps the token the IdP holds, printing that it kept it", async () => {
    first = await startExample({ dir, env: { PORT: String(await freePort()), SCIMKIT_DATA_DIR: dataDir } });
    const token = first.token;
    expect(token).toMatch(/^scimkit_/);
    const created = await fetch(`${first.baseUrl}/Users`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
      body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "ada@example.com" }),
    });
    expect(created.status).toBe(201);
    expect(await first.stop("SIGTERM")).toEqual({ code: 0, signal: null });

    const port = await freePort();
    second = startPrinting({ PORT: String(port), SCIMKIT_DATA_DIR: dataDir }, /^Admin page: /m);
    const printed = await second.ready;
    // No new secret is shown, and none is minted: the one printed on the first start still works.
    expect(printed).not.toMatch(/^Bearer token: scimkit_/m);
    expect(printed).toContain(
      `Bearer token: unchanged, the one shown when it was minted (scimkit_…${token.slice(-4)})`,
    );
    expect(printed).toMatch(/^To replace it, rotate it on the admin page/m);
    const users = await fetch(`http://127.0.0.1:${port}/scim/v2/Users?filter=userName%20eq%20%22ada@example.com%22`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(users.status).toBe(200);
    expect(((await users.json()) as { totalResults: number }).totalResults).toBe(1);
    const connections = (await (await fetch(`http://127.0.0.1:${port}/admin/connections`)).json()) as {
      items: { name: string }[];
    };
    expect(connections.items.map((c) => c.name)).toEqual(["Demo IdP"]);
  });
});
