/**
 * Building what the server children run, as it is published: each package's `dist` with its own
 * tsup config, and the child bundled with those packages left external. Used for the working tree
 * and, with `--baseline`, for a worktree of an earlier commit, each with the tsup it installed.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The child's entry and where its bundle goes, relative to `packages/bench`. */
export const CHILD_ENTRY = "src/child/main.ts";
export const CHILD_OUT_DIR = "dist/child";

/** Runs the tsup installed at workspace `root` with this Node in `cwd`, so no package manager is needed. */
export function tsup(root: string, cwd: string, args: readonly string[], what: string): void {
  const manifest = createRequire(join(root, "package.json")).resolve("tsup/package.json");
  const bin = (JSON.parse(readFileSync(manifest, "utf8")) as { bin: Record<string, string> }).bin["tsup"];
  if (bin === undefined) throw new Error("tsup has no bin to build with");
  const built = spawnSync(process.execPath, [join(dirname(manifest), bin), ...args], {
    cwd,
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (built.error !== undefined || built.status !== 0) {
    throw new Error(
      `building ${what} in ${cwd} failed (${built.error?.message ?? `exit ${String(built.status)}`}); run \`pnpm build\` there to see why`,
    );
  }
}

/**
 * Builds the packages a server child imports, then the child itself, in the workspace at `root`.
 * Returns the built child's path.
 */
export function buildChild(root: string, packages: readonly string[]): string {
  for (const name of packages) tsup(root, join(root, "packages", name), [], `@scimkit/${name}`);
  const bench = join(root, "packages", "bench");
  tsup(
    root,
    bench,
    [CHILD_ENTRY, "--format", "esm", "--out-dir", CHILD_OUT_DIR, "--target", "node20", "--silent"],
    "the server child",
  );
  return join(bench, CHILD_OUT_DIR, "main.js");
}
