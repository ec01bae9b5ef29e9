#!/usr/bin/env node
/**
 * Packs every publishable package (packages/* without "private": true) the way `pnpm publish` would,
 * and checks what each tarball holds, so a release ships what a user needs and nothing else:
 *
 * - only package.json, README, LICENSE, CHANGELOG and dist/** (no sources, tests, fixtures or test
 *   servers; nothing named like a test even inside dist);
 * - every file that package.json points at (main, module, types, typesVersions, each exports target)
 *   is in the tarball; a "source" condition is dropped from the published exports (publishConfig), since
 *   it points at src/, which is not shipped;
 * - the published manifest has no `workspace:` ranges, is not private, has publishConfig.access
 *   "public" and the same version as the checkout.
 *
 * A missing README, LICENSE or CHANGELOG is reported as a warning.
 *
 * Usage (after `pnpm build`):
 *   node scripts/pack.mjs                         check, in a temporary folder removed afterwards
 *   node scripts/pack.mjs --out dist/packs        check and keep the tarballs there
 *   node scripts/pack.mjs --sync-release-fields   write the release fields into each publishable
 *                                                 package.json: publishConfig (access, exports
 *                                                 without "source") and CHANGELOG.md in files
 */
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The packages under packages/ that are published: name, version, folder and manifest. */
export function publishablePackages() {
  const dir = join(repoRoot, "packages");
  const found = [];
  for (const entry of readdirSync(dir).sort()) {
    const file = join(dir, entry, "package.json");
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, "utf8"));
    if (manifest.private) continue;
    found.push({ name: manifest.name, version: manifest.version, dir: join(dir, entry), manifest });
  }
  return found;
}

/** The file name `pnpm pack` gives a package's tarball: `@scimkit/core@0.1.0` → scimkit-core-0.1.0.tgz. */
export function tarballName(name, version) {
  return `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`;
}

/** How to run pnpm: the one running this script when there is one, else the pinned one through npx. */
function pnpmCommand() {
  const execPath = process.env["npm_execpath"];
  if (execPath && /pnpm/.test(basename(execPath)) && existsSync(execPath)) return [process.execPath, [execPath]];
  return ["npx", ["-y", "pnpm@9.15.9"]];
}

function run(command, args, cwd) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolvePromise(output)
        : reject(new Error(`${command} ${args.join(" ")} failed (${code}):\n${output}`)),
    );
  });
}

/** Entries of a .tgz: name (without the leading `package/`), size and content. */
export function readTarball(file) {
  const buffer = gunzipSync(readFileSync(file));
  const entries = [];
  let offset = 0;
  let longName;
  while (offset + 512 <= buffer.length) {
    const header = buffer.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start, end) =>
      header
        .subarray(start, end)
        .toString("utf8")
        .replace(/\0[\s\S]*$/, "");
    const size = Number.parseInt(field(124, 136).trim() || "0", 8);
    const type = String.fromCharCode(header[156] || 48);
    const data = buffer.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    const prefix = field(257, 262) === "ustar" ? field(345, 500) : "";
    let name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    if (type === "x") {
      longName = /\d+ path=([^\n]*)\n/.exec(data.toString("utf8"))?.[1];
      continue;
    }
    if (type === "g" || type === "5") continue;
    if (longName) [name, longName] = [longName, undefined];
    entries.push({ path: name.replace(/^package\//, ""), inPackageFolder: name.startsWith("package/"), size, data });
  }
  return entries;
}

const allowed = /^(?:package\.json|(?:README|LICEN[CS]E|CHANGELOG)(?:\.md|\.txt)?|dist\/.+)$/i;
const forbidden =
  /(?:^|\/)(?:src|tests?|__tests__|fixtures|bench)\/|\.(?:test|spec)\.[cm]?[jt]sx?$|test-server|\.tsbuildinfo$/i;

/** `exports` without one condition, at any depth. */
export function withoutCondition(value, condition) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== condition)
      .map(([key, inner]) => [key, withoutCondition(inner, condition)]),
  );
}

/** The publishConfig a publishable package should carry: public access, and exports without "source". */
export function expectedPublishConfig(manifest) {
  const config = { ...manifest.publishConfig, access: "public" };
  if (manifest.exports) config.exports = withoutCondition(manifest.exports, "source");
  return config;
}

/** Every path a manifest points at, with where it was found. */
function manifestTargets(manifest) {
  const targets = [];
  for (const key of ["main", "module", "types", "typings"]) {
    if (typeof manifest[key] === "string") targets.push([key, manifest[key]]);
  }
  const walk = (value, where) => {
    if (typeof value === "string") targets.push([where, value]);
    else if (Array.isArray(value)) {
      for (const [index, inner] of value.entries()) walk(inner, `${where}[${index}]`);
    } else if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) {
        walk(inner, /^[a-z_$][\w$-]*$/i.test(key) ? `${where}.${key}` : `${where}[${JSON.stringify(key)}]`);
      }
    }
  };
  walk(manifest.exports, "exports");
  walk(manifest.typesVersions, "typesVersions");
  return targets;
}

function sameJson(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Checks one packed tarball; returns { errors, warnings, files, size }. */
export function checkTarball(file, pkg) {
  const errors = [];
  const warnings = [];
  const entries = readTarball(file);
  const paths = new Set(entries.map((entry) => entry.path));
  for (const entry of entries) {
    if (!entry.inPackageFolder) errors.push(`${entry.path}: outside the package/ folder`);
    else if (!allowed.test(entry.path) || forbidden.test(entry.path))
      errors.push(`${entry.path}: should not be published`);
  }
  const manifestEntry = entries.find((entry) => entry.path === "package.json");
  if (!manifestEntry) return { errors: [...errors, "no package.json"], warnings, files: entries.length };
  const packed = JSON.parse(manifestEntry.data.toString("utf8"));

  if (packed.name !== pkg.name) errors.push(`name is ${packed.name}, expected ${pkg.name}`);
  if (packed.version !== pkg.version) errors.push(`version is ${packed.version}, expected ${pkg.version}`);
  if (packed.private) errors.push(`"private": true`);
  if (packed.publishConfig?.access !== "public") {
    errors.push('publishConfig.access is not "public": run `node scripts/pack.mjs --sync-release-fields`');
  }
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [dependency, range] of Object.entries(packed[field] ?? {})) {
      if (String(range).startsWith("workspace:")) errors.push(`${field}.${dependency} is still ${range}`);
      // One version for all @scimkit packages: each depends on its siblings' current version.
      else if (dependency.startsWith("@scimkit/") && !["", "^", "~"].some((op) => range === `${op}${pkg.version}`)) {
        errors.push(`${field}.${dependency} is ${range}, not ${pkg.version}`);
      }
    }
  }
  if (![...paths].some((path) => path.startsWith("dist/"))) errors.push("no dist/ files: run `pnpm build` first");
  for (const [where, target] of manifestTargets(packed)) {
    const relative = target.replace(/^\.\//, "");
    if (where.endsWith(".source")) {
      errors.push(`${where} → ${target}: a "source" condition in the published exports points outside dist`);
      continue;
    }
    if (relative === "package.json" || relative.endsWith("/")) continue;
    const exists = relative.includes("*")
      ? [...paths].some((path) =>
          new RegExp(`^${relative.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(path),
        )
      : paths.has(relative);
    if (!exists) errors.push(`${where} → ${target}: not in the tarball`);
  }
  if (pkg.manifest.exports && !sameJson(packed.exports, withoutCondition(pkg.manifest.exports, "source"))) {
    errors.push(
      'published exports differ from package.json exports (without "source"): run `node scripts/pack.mjs --sync-release-fields`',
    );
  }
  if (![...paths].some((path) => /^README(\.md)?$/i.test(path))) warnings.push("no README");
  if (![...paths].some((path) => /^LICEN[CS]E/i.test(path))) warnings.push("no LICENSE file");
  if (!paths.has("CHANGELOG.md")) warnings.push("no CHANGELOG.md");
  return { errors, warnings, files: entries.length, size: statSync(file).size, manifest: packed };
}

/**
 * Packs and checks every publishable package into `out` (a temporary folder when not given).
 * Returns { out, results: [{ name, version, tarball, errors, warnings, files, size }] } and prints a
 * summary; `ok` is false when any package has an error.
 */
export async function packAll({ out, log = console.log } = {}) {
  const folder = resolve(out ?? mkdtempSync(join(tmpdir(), "scimkit-packs-")));
  mkdirSync(folder, { recursive: true });
  const packages = publishablePackages();
  const [command, prefix] = pnpmCommand();
  const results = [];
  // Two at a time: each is a short pnpm process, and the machines have two cores.
  const queue = [...packages];
  const worker = async () => {
    for (let pkg = queue.shift(); pkg; pkg = queue.shift()) {
      const tarball = join(folder, tarballName(pkg.name, pkg.version));
      rmSync(tarball, { force: true });
      try {
        if (!existsSync(join(pkg.dir, "dist"))) throw new Error("no dist/: run `pnpm build` first");
        await run(command, [...prefix, "pack", "--pack-destination", folder], pkg.dir);
        results.push({ name: pkg.name, version: pkg.version, tarball, ...checkTarball(tarball, pkg) });
      } catch (error) {
        results.push({
          name: pkg.name,
          version: pkg.version,
          tarball,
          errors: [error.message],
          warnings: [],
          files: 0,
        });
      }
    }
  };
  await Promise.all([worker(), worker()]);
  results.sort((a, b) => a.name.localeCompare(b.name));

  for (const result of results) {
    const size = result.size ? `${(result.size / 1024).toFixed(1)} kB` : "-";
    const status = result.errors.length ? "FAIL" : "ok";
    log(
      `${status.padEnd(4)} ${`${result.name}@${result.version}`.padEnd(26)} ${String(result.files).padStart(3)} files ${size.padStart(9)}`,
    );
    for (const error of result.errors) log(`       error: ${error}`);
    for (const warning of result.warnings) log(`       warning: ${warning}`);
  }
  const ok = results.every((result) => result.errors.length === 0);
  log(ok ? `pack check: ${results.length} packages ok, tarballs in ${folder}` : "pack check: FAILED");
  return { out: folder, results, ok };
}

/**
 * Writes the release fields into each publishable package.json, keeping its other fields: publishConfig
 * (public access, exports without "source") and CHANGELOG.md in `files`.
 */
function syncReleaseFields() {
  for (const pkg of publishablePackages()) {
    const file = join(pkg.dir, "package.json");
    const text = readFileSync(file, "utf8");
    const manifest = JSON.parse(text);
    manifest.publishConfig = expectedPublishConfig(manifest);
    if (Array.isArray(manifest.files) && !manifest.files.includes("CHANGELOG.md")) manifest.files.push("CHANGELOG.md");
    const updated = `${JSON.stringify(manifest, null, 2)}\n`;
    if (updated === text) continue;
    writeFileSync(file, updated);
    console.log(`updated the release fields of ${pkg.name}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  if (args.includes("--sync-release-fields")) {
    syncReleaseFields();
  } else {
    const outIndex = args.indexOf("--out");
    const out = outIndex >= 0 ? resolve(args[outIndex + 1] ?? "") : undefined;
    const { ok, out: folder } = await packAll({ out });
    if (!out) rmSync(folder, { recursive: true, force: true });
    process.exitCode = ok ? 0 : 1;
  }
}
