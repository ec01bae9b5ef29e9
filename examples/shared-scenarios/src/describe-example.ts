/**
 * The end-to-end suite of an example: start it as a real server, run every shared scenario over
 * HTTP, stop it with a signal, and start it again on the same data folder.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScimClient } from "./client.js";
import type { ListResponse } from "./client.js";
import { scenarios } from "./scenarios.js";
import { freePort, startExample, type RunningExample } from "./start-example.js";

export interface ExampleSuiteOptions {
  /** The example's folder. */
  readonly dir: string;
  /** How long a start may take, e.g. longer for a framework that compiles on start. @default 120000 */
  readonly readyTimeoutMs?: number;
  /** Extra environment for the example. @default {} */
  readonly env?: Readonly<Record<string, string>>;
}

export function describeExample(title: string, options: ExampleSuiteOptions): void {
  describe(title, () => {
    const token = `scimkit_${randomBytes(24).toString("hex")}`;
    const dataDir = mkdtempSync(join(tmpdir(), "scimkit-example-"));
    let example: RunningExample | undefined;
    let client = new ScimClient("http://127.0.0.1:0", token);
    const start = async () => {
      const port = await freePort();
      example = await startExample({
        dir: options.dir,
        env: { ...options.env, PORT: String(port), SCIMKIT_TOKEN: token, SCIMKIT_DATA_DIR: dataDir },
        ...(options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs }),
      });
      client = new ScimClient(example.baseUrl, example.token);
      return example;
    };
    const userCount = async () => (await client.get<ListResponse<never>>("/Users?count=0")).body?.totalResults ?? -1;

    beforeAll(start, options.readyTimeoutMs ?? 120_000);
    afterAll(() => {
      example?.kill();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("prints the SCIM base URL on 127.0.0.1 under /scim/v2 and the token it was given", () => {
      expect(example?.baseUrl).toBe(`http://127.0.0.1:${example?.port}/scim/v2`);
      expect(example?.token).toBe(token);
    });

    for (const scenario of scenarios) it(scenario.name, () => scenario.run(client));

    it(
      "exits with code 0 on SIGTERM, then starts again on the same data folder and token with its data",
      async () => {
        const before = await userCount();
        expect(before).toBeGreaterThan(0);
        const first = example;
        expect(await first?.stop("SIGTERM")).toEqual({ code: 0, signal: null });
        expect(existsSync(join(dataDir, "scimkit.json"))).toBe(true);
        await start();
        expect(await userCount()).toBe(before);
      },
      2 * (options.readyTimeoutMs ?? 120_000),
    );

    it("exits with code 0 on Ctrl-C (SIGINT)", async () => {
      expect(await example?.stop("SIGINT")).toEqual({ code: 0, signal: null });
    });
  });
}
