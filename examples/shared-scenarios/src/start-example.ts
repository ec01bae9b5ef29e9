/**
 * Starts an example exactly as `pnpm start` does (its package.json `start` script) as a child
 * process on a free port, and waits for the two lines it prints when it is ready.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

export interface StartOptions {
  /** The example's folder (holding its package.json). */
  readonly dir: string;
  readonly env: Readonly<Record<string, string>>;
  /** How long to wait for the ready lines. @default 120000 */
  readonly readyTimeoutMs?: number;
}

export interface RunningExample {
  readonly baseUrl: string;
  readonly token: string;
  readonly port: number;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Sends `signal` to the example and resolves with how it exited. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the example and anything it started, whatever state it is in. */
  kill(): void;
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return address.port;
}

/** The arguments after `node` in the example's `start` script: the test runs the same command. */
function startArguments(dir: string): string[] {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { scripts?: { start?: string } };
  const words = (pkg.scripts?.start ?? "").trim().split(/\s+/);
  if (words[0] !== "node")
    throw new Error(`The start script of ${dir} must run node directly: "${pkg.scripts?.start ?? ""}"`);
  return words.slice(1);
}

function exited(child: ChildProcess) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

export async function startExample(options: StartOptions): Promise<RunningExample> {
  // The runner's test environment is not the example's: let it choose (e.g. Next dev mode).
  const { NODE_ENV: _testMode, ...inherited } = process.env;
  const child = spawn(process.execPath, startArguments(options.dir), {
    cwd: options.dir,
    // Some frameworks' types declare NODE_ENV required; leaving it out is the point here.
    env: { ...inherited, ...options.env } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so `kill` also reaches any worker the framework started.
    detached: true,
  });
  let out = "";
  child.stdout?.on("data", (c: Buffer) => (out += c.toString("utf8")));
  child.stderr?.on("data", (c: Buffer) => (out += c.toString("utf8")));
  const kill = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  process.once("exit", kill);

  const ready = await new Promise<{ baseUrl: string; token: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      kill();
      reject(new Error(`The example did not print its base URL and token in time. Output:\n${out}`));
    }, options.readyTimeoutMs ?? 120_000);
    const check = () => {
      const base = /^SCIM base URL: (\S+)$/m.exec(out);
      const token = /^Bearer token: (\S+)$/m.exec(out);
      if (base?.[1] && token?.[1]) {
        cleanup();
        resolve({ baseUrl: base[1], token: token[1] });
      }
    };
    const onExit = () => {
      cleanup();
      reject(new Error(`The example exited before it was ready. Output:\n${out}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off("data", check);
      child.off("exit", onExit);
    };
    child.stdout?.on("data", check);
    child.once("exit", onExit);
  });

  return {
    ...ready,
    port: Number(new URL(ready.baseUrl).port),
    output: () => out,
    async stop(signal = "SIGTERM", timeoutMs = 30_000) {
      const done = exited(child);
      child.kill(signal);
      const timer = setTimeout(kill, timeoutMs);
      const result = await done;
      clearTimeout(timer);
      kill();
      process.off("exit", kill);
      return result;
    },
    kill() {
      kill();
      process.off("exit", kill);
    },
  };
}
