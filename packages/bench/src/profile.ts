/**
 * Reading a V8 CPU profile (the `.cpuprofile` format `node --cpu-prof` and the inspector write):
 * the frames that spent the most samples on themselves, merged by function and location.
 */
import type { Frame } from "./protocol.js";

/** The parts of a `.cpuprofile` this reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }[];
  readonly samples?: readonly number[] | undefined;
}

// Bookkeeping frames say nothing about where our time goes.
const IGNORED = new Set(["(idle)", "(program)", "(root)"]);

/** Where a frame lives, shortened to the package or the workspace-relative file. */
export function shortLocation(url: string, line: number): string {
  if (url === "") return "(native)";
  const path = url.replace(/^file:\/\//, "");
  const inModules = path.lastIndexOf("/node_modules/");
  const short =
    inModules >= 0 ? path.slice(inModules + "/node_modules/".length) : path.replace(/^.*\/packages\//, "packages/");
  return `${short}:${line + 1}`;
}

/** The `limit` frames with the largest share of samples (excluding idle and GC bookkeeping). */
export function topFrames(profile: CpuProfile, limit: number): Frame[] {
  const byNode = new Map<number, number>();
  let total = 0;
  for (const id of profile.samples ?? []) {
    byNode.set(id, (byNode.get(id) ?? 0) + 1);
    total += 1;
  }
  if (total === 0) return [];
  const merged = new Map<string, { name: string; location: string; samples: number }>();
  for (const node of profile.nodes) {
    const samples = byNode.get(node.id) ?? 0;
    if (samples === 0 || IGNORED.has(node.callFrame.functionName)) continue;
    const name = node.callFrame.functionName || "(anonymous)";
    const location = shortLocation(node.callFrame.url, node.callFrame.lineNumber);
    const key = `${name}\u0000${location}`;
    const entry = merged.get(key) ?? { name, location, samples: 0 };
    entry.samples += samples;
    merged.set(key, entry);
  }
  return [...merged.values()]
    .sort((a, b) => b.samples - a.samples)
    .slice(0, limit)
    .map((e) => ({ name: e.name, location: e.location, selfShare: e.samples / total }));
}
