/**
 * A server under test, built in-process: its request listener, how seeding went, and the fixtures
 * the scenarios address. The child entry serves it on 127.0.0.1; tests serve it on their own.
 */
import type { RequestListener } from "node:http";
import type { ChildConfig, Fixtures, SeedReport } from "../protocol.js";

export interface BenchServer {
  readonly listener: RequestListener;
  readonly seed: SeedReport;
  readonly fixtures: Fixtures;
  close(): Promise<void>;
}

export type StartServer = (config: ChildConfig, progress: (text: string) => void) => Promise<BenchServer>;

/** Loads only the server asked for, so a child never pays for the others' modules. */
export async function startServer(config: ChildConfig, progress: (text: string) => void): Promise<BenchServer> {
  switch (config.kind) {
    case "bare":
      return (await import("./bare.js")).startBare();
    case "scimkit-memory":
    case "scimkit-durable":
    case "scimkit-pglite":
    case "scimkit-pg":
      return (await import("./scimkit.js")).startScimkit(config, progress);
    case "scimmy":
      return (await import("./scimmy.js")).startScimmy(config, progress);
  }
}
