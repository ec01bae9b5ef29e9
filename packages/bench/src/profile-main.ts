/**
 * Prints the top self-time frames of `.cpuprofile` files, and the same time summed per file:
 * `pnpm --filter @scimkit/bench profile profiles/scimkit-memory-100000-get-user.cpuprofile`.
 */
import { readFile } from "node:fs/promises";
import { topFrames, type CpuProfile } from "./profile.js";

for (const file of process.argv.slice(2)) {
  const profile = JSON.parse(await readFile(file, "utf8")) as CpuProfile;
  const frames = topFrames(profile, 10_000);
  process.stdout.write(`\n${file}\n`);
  for (const f of frames.slice(0, 25))
    process.stdout.write(`${(f.selfShare * 100).toFixed(1).padStart(6)} %  ${f.name}  ${f.location}\n`);
  const byFile = new Map<string, number>();
  for (const f of frames) {
    const where = f.location.replace(/:\d+$/, "");
    byFile.set(where, (byFile.get(where) ?? 0) + f.selfShare);
  }
  process.stdout.write("  by file:\n");
  for (const [where, share] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 15))
    process.stdout.write(`${(share * 100).toFixed(1).padStart(6)} %  ${where}\n`);
}
