/**
 * `--baseline <ref>`: the memory store as an earlier commit has it, built so that it runs exactly as
 * the working tree's does. The commit is checked out into a temporary git worktree outside the
 * repository, installed from the lockfile it had, and its packages and its own server child are
 * built with its own tsup, as the run builds the working tree's. The child is that commit's code
 * (same Express mount, same store, same seeding, its API names), so the comparison takes nothing
 * from the current tree but the harness, which drives both children over the same IPC protocol.
 */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BaselineInfo } from "../results.js";
import { buildChild } from "./build.js";

export interface PreparedBaseline {
  readonly info: BaselineInfo;
  /** The built child to fork for the baseline server. */
  readonly child: string;
  /** Differences between the baseline's child (and protocol) and the working tree's, as `git diff --stat` prints them. */
  readonly childDiff: string;
  /** Removes the worktree; safe to call more than once. */
  remove(): void;
}

/** What the baseline's child imports: the memory store lives in core, the mount in express. */
const PACKAGES = ["core", "express"];
/** What a memory-store child loads from the working tree: its uncommitted changes are part of HEAD's figures. */
const LOADED = ["packages/core", "packages/express", "packages/bench/src/child"];
/** What must match for the harness to drive the baseline's child. */
const PROTOCOL = "packages/bench/src/protocol.ts";

function run(command: string, args: readonly string[], options: SpawnSyncOptions & { cwd: string }): string {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * 2 ** 20, ...options });
  if (result.error !== undefined || result.status !== 0) {
    const output = `${String(result.stdout ?? "")}${String(result.stderr ?? "")}`
      .trim()
      .split("\n")
      .slice(-15)
      .join("\n");
    throw new Error(
      `\`${[command, ...args].join(" ")}\` failed (${result.error?.message ?? `exit ${String(result.status)}`})${output ? `:\n${output}` : ""}`,
    );
  }
  return String(result.stdout ?? "");
}

const git = (root: string, args: readonly string[]) => run("git", args, { cwd: root }).trim();

/**
 * The package manager that runs this script (pnpm sets `npm_execpath` to its own entry), so the
 * worktree is installed with the same pnpm; `pnpm` from the PATH otherwise.
 */
function packageManager(): { command: string; prefix: string[] } {
  const execPath = process.env["npm_execpath"];
  if (execPath !== undefined && /pnpm/i.test(execPath))
    return /\.c?js$/.test(execPath)
      ? { command: process.execPath, prefix: [execPath] }
      : { command: execPath, prefix: [] };
  return { command: "pnpm", prefix: [] };
}

/**
 * Environment for the install: the parent's (its pnpm settings included), without what pnpm set to
 * describe the script that runs this.
 */
function installEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(npm_package_|npm_lifecycle_|PNPM_SCRIPT_SRC_DIR$|INIT_CWD$)/i.test(k)) env[k] = v;
  return env;
}

/**
 * Checks `ref` out into a fresh worktree under the system's temporary folder, installs and builds it.
 * The worktree is removed again when any step fails.
 */
export function prepareBaseline(root: string, ref: string, progress: (text: string) => void): PreparedBaseline {
  let commit: string;
  try {
    commit = git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  } catch {
    throw new Error(`--baseline ${ref}: no such commit in ${root}`);
  }
  const subject = git(root, ["log", "-1", "--format=%s", commit]);
  try {
    git(root, ["cat-file", "-e", `${commit}:packages/bench/src/child/main.ts`]);
  } catch {
    throw new Error(
      `--baseline ${ref}: that commit has no packages/bench/src/child/main.ts, so no server child to run`,
    );
  }
  // What the other side runs is the working tree as it is, committed or not: say so when it is not.
  const head = git(root, ["rev-parse", "HEAD"]);
  const uncommitted = git(root, ["status", "--porcelain", "--", ...LOADED])
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => line.slice(3));
  if (uncommitted.length > 0)
    progress(
      `baseline ${ref}: note: HEAD's side is the working tree, with ${uncommitted.length} uncommitted files under ${LOADED.join(", ")}`,
    );
  // Against the working tree: what the run measures is the tree as it is, committed or not.
  const childDiff = git(root, ["diff", "--stat", commit, "--", "packages/bench/src/child", PROTOCOL]);
  const protocolDiffers = git(root, ["diff", "--name-only", commit, "--", PROTOCOL]) !== "";
  if (protocolDiffers)
    progress(
      `baseline ${ref}: WARNING ${PROTOCOL} differs from the working tree's; the harness may not understand its child`,
    );

  const dir = mkdtempSync(join(tmpdir(), `scimkit-baseline-${commit.slice(0, 10)}-`));
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    try {
      git(root, ["worktree", "remove", "--force", dir]);
    } catch {
      rmSync(dir, { recursive: true, force: true });
      try {
        git(root, ["worktree", "prune"]);
      } catch {
        // Nothing more to do: the folder is gone, git forgets it on its next prune.
      }
    }
  };
  try {
    progress(`baseline ${ref} (${commit.slice(0, 10)} ${subject.slice(0, 60)}): git worktree in ${dir}`);
    git(root, ["worktree", "add", "--detach", dir, commit]);
    progress(`baseline ${ref}: pnpm install --frozen-lockfile --prefer-offline`);
    const pm = packageManager();
    run(pm.command, [...pm.prefix, "install", "--frozen-lockfile", "--prefer-offline"], {
      cwd: dir,
      env: installEnv(),
    });
    progress(`baseline ${ref}: building @scimkit/${PACKAGES.join(", @scimkit/")} and its server child (tsup)`);
    const child = buildChild(dir, PACKAGES);
    let express = "?";
    try {
      express =
        (
          JSON.parse(
            readFileSync(join(dir, "packages", "bench", "node_modules", "express5", "package.json"), "utf8"),
          ) as { version?: string }
        ).version ?? "?";
    } catch {
      express = "not installed";
    }
    return { info: { ref, commit, subject, express, head: { commit: head, uncommitted } }, child, childDiff, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
