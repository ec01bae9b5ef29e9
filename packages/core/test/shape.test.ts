/**
 * The core's shape, pinned: how many names each public entry exports (an audience's whole API, so
 * growth is a decision, not an accident), and that no two folders of src/ import each other.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const src = resolve(dirname(fileURLToPath(import.meta.url)), "../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [path] : [];
  });
}

const folderOf = (file: string) => {
  const parts = relative(src, file).split(sep);
  return parts.length > 1 ? (parts[0] ?? "") : "";
};

function exportedNames(entry: string): string[] {
  const program = ts.createProgram([entry], {
    strict: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(entry);
  const symbol = file && checker.getSymbolAtLocation(file);
  return symbol
    ? checker
        .getExportsOfModule(symbol)
        .map((s) => s.name)
        .sort()
    : [];
}

describe("the core's shape", () => {
  it("has no two folders of src/ importing each other", () => {
    const edges = new Set<string>();
    for (const file of sourceFiles(src)) {
      const from = folderOf(file);
      for (const m of readFileSync(file, "utf8").matchAll(/from "(\.{1,2}\/[^"]+)"/g)) {
        const to = folderOf(resolve(dirname(file), m[1] ?? ""));
        if (from !== "" && to !== "" && from !== to) edges.add(`${from}->${to}`);
      }
    }
    const mutual = [...edges].filter((e) => {
      const [a, b] = e.split("->");
      return a !== undefined && b !== undefined && a < b && edges.has(`${b}->${a}`);
    });
    expect(mutual).toEqual([]);
    // The check sees the real graph: the engine reaches resources and is reached by http.
    expect(edges.has("engine->resources") && edges.has("http->engine")).toBe(true);
  });

  it("exports a host's API from @scimkit/core and a store author's from @scimkit/core/store", () => {
    const host = exportedNames(join(src, "index.ts"));
    expect(host.length).toBe(HOST_EXPORTS);
    // Internals stay internal: a host never needs the planner, the parser or tolerance plumbing.
    for (const internal of [
      "planPatch",
      "parseFilter",
      "evaluateFilter",
      "toleranceContext",
      "ok",
      "err",
      "Result",
      "SchemaRegistry",
      "StoreTransaction",
    ]) {
      expect(host).not.toContain(internal);
    }
    const store = exportedNames(join(src, "store/index.ts"));
    for (const needed of [
      "defineStore",
      "defineRecord",
      "StoreTransaction",
      "ScimStore",
      "Filter",
      "Sort",
      "UniquenessError",
      "VersionConflictError",
      "filterFromText",
    ]) {
      expect(store).toContain(needed);
    }
    expect(store).not.toContain("planPatch");
  });
});

/**
 * The host API's size: change it on purpose, with the names added or removed documented.
 * +8 for the event feed (docs/event-feed.md): EventFeed, ConsumeOptions, FeedConsumer, FeedContext,
 * FeedHandler, FeedLag, ParkedEvent, FeedTenantLag.
 */
const HOST_EXPORTS = 60;
