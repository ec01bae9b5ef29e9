/**
 * A server child: builds and seeds one server in-process, serves it on 127.0.0.1 and tells the
 * harness where. Runs in its own process so the load generator and the server each get a core.
 * On request it CPU-profiles the measured part of a scenario with the V8 profiler.
 */
import { writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { Session } from "node:inspector/promises";
import type { AddressInfo } from "node:net";
import { topFrames, type CpuProfile } from "../profile.js";
import type { ChildConfig, ChildMessage, ParentMessage } from "../protocol.js";
import { startServer } from "./server.js";

const send = (message: ChildMessage) => process.send?.(message);

function collectGarbage(): void {
  // With --expose-gc, RSS after seeding leaves out garbage the seeding left behind.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) for (let i = 0; i < 3; i++) gc();
}

async function main(): Promise<void> {
  const raw = process.argv[2];
  if (raw === undefined || process.send === undefined)
    throw new Error("run by the benchmark harness: main.ts '<config json>' over an IPC channel");
  const config = JSON.parse(raw) as ChildConfig;
  const bench = await startServer(config, (text) => send({ type: "progress", text }));
  const http = createServer({ keepAliveTimeout: 60_000 }, bench.listener);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  collectGarbage();

  let session: Session | null = null;
  const stop = async () => {
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await bench.close();
    process.exit(0);
  };
  process.on("message", (message: ParentMessage) => {
    void (async () => {
      if (message.type === "stop") return stop();
      if (message.type === "cpu") {
        const used = process.cpuUsage();
        return send({ type: "cpu", micros: used.user + used.system });
      }
      if (message.type === "profile-start") {
        session = new Session();
        session.connect();
        await session.post("Profiler.enable");
        await session.post("Profiler.start");
        return;
      }
      if (message.type === "profile-stop" && session !== null) {
        const { profile } = (await session.post("Profiler.stop")) as { profile: CpuProfile };
        session.disconnect();
        session = null;
        await writeFile(message.file, JSON.stringify(profile));
        send({ type: "profile-saved", file: message.file, top: topFrames(profile, 15) });
      }
    })().catch((error: unknown) =>
      send({ type: "failed", message: error instanceof Error ? error.message : String(error) }),
    );
  });
  // The harness going away must not leave a server behind.
  process.on("disconnect", () => void stop());

  const { port } = http.address() as AddressInfo;
  const usage = process.memoryUsage();
  send({
    type: "ready",
    port,
    seed: bench.seed,
    fixtures: bench.fixtures,
    memory: { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, externalBytes: usage.external + usage.arrayBuffers },
  });
}

main().catch((error: unknown) => {
  send({ type: "failed", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100);
});
