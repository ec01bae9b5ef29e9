/**
 * Starting a server child and talking to it. The child runs TypeScript through tsx with the
 * `source` export condition, so workspace packages load from their sources without a build.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type {
  ChildConfig,
  ChildMessage,
  Fixtures,
  Frame,
  MemoryReport,
  ParentMessage,
  SeedReport,
} from "../protocol.js";

/** The child as written: run through tsx with `--from-source`, and the entry the run builds from. */
export const CHILD_SOURCE = fileURLToPath(new URL("../child/main.ts", import.meta.url));
/** The child as the run builds it (tsup), so a server child runs plain JavaScript, as a deployment does. */
export const CHILD_BUILT = fileURLToPath(new URL("../../dist/child/main.js", import.meta.url));

export interface RunningServer {
  readonly url: string;
  readonly seed: SeedReport;
  readonly fixtures: Fixtures;
  readonly memory: MemoryReport;
  /** Profiles what the server does until `stopProfile`. */
  startProfile(): void;
  stopProfile(file: string): Promise<readonly Frame[]>;
  /**
   * The child's CPU time so far, in microseconds: a window's difference is what its requests cost.
   * Undefined when the child cannot answer within `timeoutMs` (a request of minutes still running).
   */
  cpuMicros(timeoutMs: number): Promise<number | undefined>;
  /** Stops the child and waits for it to exit (killing it if it does not within 10 s). */
  stop(): Promise<void>;
}

function waitFor<T extends ChildMessage["type"]>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
  onProgress: (text: string) => void,
): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`no "${type}" from the server child within ${Math.round(timeoutMs / 1000)} s`)),
      timeoutMs,
    );
    const onMessage = (message: ChildMessage) => {
      if (message.type === "progress") onProgress(message.text);
      else if (message.type === "failed") finish(new Error(`server child failed: ${message.message}`));
      else if (message.type === type) finish(null, message as Extract<ChildMessage, { type: T }>);
    };
    const onExit = (code: number | null) => finish(new Error(`server child exited (code ${code}) before "${type}"`));
    const finish = (error: Error | null, value?: Extract<ChildMessage, { type: T }>) => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      if (error !== null || value === undefined) reject(error ?? new Error("no value"));
      else resolve(value);
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

/**
 * Forks a child serving `config.kind`, waits until it has seeded and listens (at most
 * `readyTimeoutMs`), and returns its address and fixtures. `builtChild` forks another built child
 * instead of this tree's (the `--baseline` commit's, from its worktree).
 */
export async function startChild(
  config: ChildConfig,
  readyTimeoutMs: number,
  onProgress: (text: string) => void,
  fromSource = false,
  builtChild = CHILD_BUILT,
): Promise<RunningServer> {
  // Built, the child and scimkit run as JavaScript with no loader thread or per-closure name helper
  // (tsx adds both); from source, through tsx with the `source` export condition.
  const child = fork(fromSource ? CHILD_SOURCE : builtChild, [JSON.stringify(config)], {
    execArgv: [
      ...(fromSource ? ["--conditions=source", "--import", "tsx"] : []),
      "--expose-gc",
      "--max-old-space-size=4096",
    ],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    // SCIMMY and Express read NODE_ENV; production is what a deployment runs.
    env: { ...process.env, NODE_ENV: "production" },
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const post = (message: ParentMessage) => child.send(message);
  let ready: Extract<ChildMessage, { type: "ready" }>;
  try {
    ready = await waitFor(child, "ready", readyTimeoutMs, onProgress);
  } catch (error) {
    child.kill("SIGKILL");
    await exited;
    throw error;
  }
  return {
    url: `http://127.0.0.1:${ready.port}`,
    seed: ready.seed,
    fixtures: ready.fixtures,
    memory: ready.memory,
    startProfile: () => post({ type: "profile-start" }),
    async stopProfile(file) {
      const saved = waitFor(child, "profile-saved", 60_000, () => {});
      post({ type: "profile-stop", file });
      return (await saved).top;
    },
    async cpuMicros(timeoutMs) {
      const answer = waitFor(child, "cpu", timeoutMs, () => {});
      post({ type: "cpu" });
      return answer.then(
        (m) => m.micros,
        () => undefined,
      );
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      post({ type: "stop" });
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
