/**
 * The app processes: started as children running src/app.ts from source, killed with SIGKILL by the
 * fault injector and started again on the same port. A child that exits when nobody killed it is a
 * crash, which the run reports as a violation.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "./cluster.js";

const APP = fileURLToPath(new URL("./app.ts", import.meta.url));

export interface AppProcess {
  readonly index: number;
  readonly port: number;
  /** False between a kill and the restarted process listening. */
  readonly up: boolean;
}

export interface AppFleet {
  readonly apps: readonly AppProcess[];
  /** SIGKILL, then the same app started again after `downMs`; resolves once it listens again. */
  killAndRestart(index: number, downMs: number): Promise<void>;
  /** Exits nobody asked for, and the lines the apps wrote to stderr. */
  readonly crashes: readonly string[];
  readonly errorLines: readonly string[];
  stop(): Promise<void>;
}

interface Slot {
  index: number;
  port: number;
  up: boolean;
  child: ChildProcess | null;
  expectedExit: boolean;
}

export async function startFleet(count: number, pgUrl: string, log: (line: string) => void): Promise<AppFleet> {
  const crashes: string[] = [];
  const errorLines: string[] = [];
  const slots: Slot[] = [];
  let stopping = false;
  for (let index = 0; index < count; index++)
    slots.push({ index, port: await freePort(), up: false, child: null, expectedExit: false });

  const launch = (slot: Slot) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", APP], {
        env: { ...process.env, SOAK_PG_URL: pgUrl, SOAK_PORT: String(slot.port) },
        stdio: ["ignore", "pipe", "pipe"],
      });
      slot.child = child;
      slot.expectedExit = false;
      let ready = false;
      let out = "";
      child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
        out += chunk;
        if (!ready && out.includes(`ready ${slot.port}`)) {
          ready = true;
          slot.up = true;
          resolve();
        }
      });
      let err = "";
      child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
        err += chunk;
        const lines = err.split("\n");
        err = lines.pop() ?? "";
        for (const line of lines) if (line.trim() !== "") errorLines.push(`app ${slot.index}: ${line}`);
      });
      child.on("exit", (code, signal) => {
        slot.up = false;
        if (!slot.expectedExit) {
          crashes.push(`app ${slot.index} exited (code ${code}, signal ${signal})`);
          log(`app ${slot.index} exited on its own (code ${code}, signal ${signal}); starting it again`);
          // Counted as a violation; started again as a process manager would, so the run goes on.
          if (ready && !stopping) setTimeout(() => launch(slot).catch(() => undefined), 500);
        }
        if (!ready) reject(new Error(`app ${slot.index} exited before listening: ${err.slice(-2000)}`));
      });
    });

  await Promise.all(slots.map(launch));
  log(`${count} app processes on ports ${slots.map((s) => s.port).join(", ")}`);

  return {
    apps: slots,
    crashes,
    errorLines,
    killAndRestart: async (index, downMs) => {
      const slot = slots[index];
      if (!slot?.child) throw new Error(`no app ${index}`);
      slot.expectedExit = true;
      slot.up = false;
      const exited = new Promise<void>((resolve) => slot.child?.once("exit", () => resolve()));
      slot.child.kill("SIGKILL");
      await exited;
      await new Promise((r) => setTimeout(r, downMs));
      await launch(slot);
    },
    stop: async () => {
      stopping = true;
      await Promise.all(
        slots.map(async (slot) => {
          const child = slot.child;
          if (!child || child.exitCode !== null || child.signalCode !== null) return;
          slot.expectedExit = true;
          const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
          await exited;
          clearTimeout(timer);
        }),
      );
    },
  };
}
