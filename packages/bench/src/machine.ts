/** The machine and the package versions a run used, for the report. */
import { readFileSync } from "node:fs";
import { cpus, release, totalmem, type } from "node:os";
import type { Machine } from "./results.js";

/** Installed packages whose versions the report names, by the name they are installed under. */
const PACKAGES: readonly (readonly [label: string, installedAs: string])[] = [
  ["@scimkit/core", "@scimkit/core"],
  ["@scimkit/express", "@scimkit/express"],
  ["@scimkit/postgres", "@scimkit/postgres"],
  ["express (scimkit, ceiling)", "express5"],
  ["express (SCIMMY)", "express"],
  ["scimmy", "scimmy"],
  ["scimmy-routers", "scimmy-routers"],
  ["@electric-sql/pglite", "@electric-sql/pglite"],
  ["autocannon", "autocannon"],
];

function installedVersion(installedAs: string): string {
  try {
    const file = new URL(`../node_modules/${installedAs}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version ?? "?";
  } catch {
    return "not installed";
  }
}

export function describeMachine(): Machine {
  const list = cpus();
  const versions: Record<string, string> = {};
  for (const [label, installedAs] of PACKAGES) versions[label] = installedVersion(installedAs);
  return {
    cpu: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${type()} ${release()}`,
    versions,
  };
}
