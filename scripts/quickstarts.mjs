#!/usr/bin/env node
/**
 * Runs each quickstart in docs/ as a new user would, on the packed tarballs: in a scratch app in a
 * temporary folder outside the workspace (so nothing resolves from the checkout), it
 *
 * 1. runs the install block as written, with each `@scimkit/<name>` replaced by that package's tarball
 *    (the framework and tsx come from the npm registry);
 * 2. writes each file block as written;
 * 3. typechecks those files against the installed packages (the workspace's TypeScript, strict);
 * 4. runs the start block as written and waits for the printed base URL and bearer token;
 * 5. runs the curl block as written with the printed token, each call's status checked (the
 *    ServiceProviderConfig read answers 200, the user creation 201 with a Location header, the filter
 *    finds the user), then the claims of the prose: the answer without a token, and the server log line.
 *
 * The blocks are found by markers above them in the Markdown, invisible when rendered:
 *   <!-- quickstart:install -->          the install block (sh)
 *   <!-- quickstart:file server.ts -->   a file to write, at that path in the app
 *   <!-- quickstart:start -->            the start block (sh), run as written
 *   <!-- quickstart:start next -->       a Next.js start: by default, instead of building the app with
 *                                        Next, the runner calls instrumentation.ts's register() and serves
 *                                        the route file's handlers (app/<path>/[[...path]]/route.ts) from
 *                                        Node's HTTP server with Web Requests, as Next would call them;
 *                                        with --next-build, it runs `npm run build && npm start` with the
 *                                        scripts, TypeScript and types that create-next-app sets up
 *   <!-- quickstart:curl -->             the curl block (sh); its `TOKEN=` line gets the printed token
 * A quickstart without markers is listed as not covered.
 *
 * Usage (after `pnpm build`):
 *   node scripts/quickstarts.mjs [--packs DIR] [--only express,koa] [--keep] [--next-build]
 * --packs uses tarballs already made by `node scripts/pack.mjs --out DIR`; otherwise they are packed
 * (and checked) first. --keep leaves the scratch apps in place. Needs the npm registry, curl and port
 * 3000 (another free port is used, in the code and the curl block alike, when 3000 is taken).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, delimiter, dirname, join, relative, resolve } from "node:path";
import { packAll, publishablePackages, repoRoot, tarballName } from "./pack.mjs";

const args = process.argv.slice(2);
const option = (name) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const keep = args.includes("--keep");
const nextBuild = args.includes("--next-build");
const only = option("--only")?.split(",");

const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------------------------------------------
// Markdown

/** The marked blocks of a quickstart: [{ kind, arg, lang, code, line }]. */
function markedBlocks(markdown) {
  const lines = markdown.split("\n");
  const blocks = [];
  for (let index = 0; index < lines.length; index++) {
    const marker = /^<!--\s*quickstart:(\w+)(?:\s+(.*?))?\s*-->\s*$/.exec(lines[index]);
    if (!marker) continue;
    let open = index + 1;
    while (open < lines.length && lines[open].trim() === "") open++;
    const fence = /^(```+)\s*(\w*)/.exec(lines[open] ?? "");
    if (!fence) throw new Error(`line ${index + 1}: quickstart:${marker[1]} is not followed by a code block`);
    let close = open + 1;
    while (close < lines.length && !lines[close].startsWith(fence[1])) close++;
    if (close >= lines.length) throw new Error(`line ${open + 1}: code block never closes`);
    blocks.push({
      kind: marker[1],
      arg: marker[2] ?? "",
      lang: fence[2],
      code: `${lines.slice(open + 1, close).join("\n")}\n`,
      line: open + 1,
    });
    index = close;
  }
  return blocks;
}

// ---------------------------------------------------------------------------------------------------
// Processes

/** The environment of the scratch app: none of the workspace's pnpm/npm settings or .bin folders. */
function scratchEnvironment() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_)/i.test(key) || ["NODE_OPTIONS", "NODE_ENV", "INIT_CWD"].includes(key)) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((entry) => !entry.includes("node_modules/.bin") && !entry.startsWith(repoRoot))
    .join(delimiter);
  Object.assign(env, {
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
  });
  return env;
}

function runScript(script, cwd, env, { timeoutMs = 300_000 } = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn("bash", ["-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n[timed out after ${timeoutMs / 1000} s]`;
      killGroup(child);
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}

function killGroup(child, signal = "SIGTERM") {
  try {
    process.kill(-child.pid, signal);
  } catch {}
}

/** Starts a long-running command and resolves once `ready(output)` returns a value. */
function startServer(script, cwd, env, ready, timeoutMs = 90_000) {
  const child = spawn("bash", ["-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const state = { child, output: "", exited: false };
  child.stdout.on("data", (chunk) => (state.output += chunk));
  child.stderr.on("data", (chunk) => (state.output += chunk));
  const exited = new Promise((resolvePromise) =>
    child.on("close", (code) => {
      state.exited = true;
      resolvePromise(code);
    }),
  );
  state.stop = async () => {
    if (state.exited) return;
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  state.ready = new Promise((resolvePromise, reject) => {
    const deadline = Date.now() + timeoutMs;
    const poll = setInterval(() => {
      const value = ready(state.output);
      if (value) {
        clearInterval(poll);
        resolvePromise(value);
      } else if (state.exited || Date.now() > deadline) {
        clearInterval(poll);
        reject(new Error(state.exited ? "the server exited before printing its token" : "no token printed in time"));
      }
    }, 100);
  });
  return state;
}

/** Resolves once something accepts connections on the port (the token may be printed before). */
async function waitForPort(port, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise((resolvePromise) => {
      const socket = connect(port, "localhost");
      socket.once("connect", () => {
        socket.destroy();
        resolvePromise(true);
      });
      socket.once("error", () => resolvePromise(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port}`);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
  }
}

function portIsFree(port) {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once("error", () => resolvePromise(false));
    server.listen(port, () => server.close(() => resolvePromise(true)));
  });
}

function freePort() {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// The Next.js stand-in

/**
 * Serves an App Router app's SCIM route the way `next dev` would call it, without Next: runs
 * instrumentation.ts's register() on the Node runtime, then hands each request under the route's
 * folder to the route file's exported method handler as a Web Request built on the listening host.
 */
const nextStandIn = `// Written by scripts/quickstarts.mjs: serves the route handlers as Next would call them.
import { createServer } from "node:http";
import { Readable } from "node:stream";
import { pathToFileURL } from "node:url";

const [routeFile, mount, port] = process.argv.slice(2);
process.env.NEXT_RUNTIME = "nodejs";
const instrumentation = await import(pathToFileURL("instrumentation.ts").href);
if (typeof instrumentation.register === "function") await instrumentation.register();
const route = await import(pathToFileURL(routeFile).href);
if (route.dynamic !== "force-dynamic") throw new Error("route.ts should export dynamic = 'force-dynamic'");

createServer(async (req, res) => {
  const url = new URL(req.url, \`http://localhost:\${port}\`);
  const handler = route[req.method];
  if (!(url.pathname === mount || url.pathname.startsWith(\`\${mount}/\`))) return res.writeHead(404).end();
  if (typeof handler !== "function") return res.writeHead(405).end();
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  const body = req.method === "GET" || req.method === "HEAD" ? undefined : Readable.toWeb(req);
  try {
    const response = await handler(new Request(url, { method: req.method, headers, body, duplex: "half" }), {
      params: Promise.resolve({ path: url.pathname.slice(mount.length).split("/").filter(Boolean) }),
    });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    console.error(error);
    res.writeHead(500).end();
  }
}).listen(Number(port), () => console.log("route handlers served on port", port));
`;

// ---------------------------------------------------------------------------------------------------
// One quickstart

/** The curl shim: each call's status, headers and body are kept for the checks, and shown. */
const curlShim = `set -euo pipefail
calls=0
curl() {
  calls=$((calls + 1))
  local code
  code=$(command curl -sS -D "$QS_OUT/$calls.headers" -o "$QS_OUT/$calls.body" -w '%{http_code}' "$@")
  printf '%s\\n' "$*" > "$QS_OUT/$calls.args"
  printf 'curl #%s → %s\\n' "$calls" "$code"
  echo "$code" > "$QS_OUT/$calls.status"
}
`;

function readCalls(folder) {
  const calls = [];
  for (let index = 1; existsSync(join(folder, `${index}.status`)); index++) {
    const read = (ext) => readFileSync(join(folder, `${index}.${ext}`), "utf8");
    calls.push({
      index,
      status: Number(read("status").trim()),
      args: read("args").trim(),
      headers: read("headers"),
      body: read("body"),
    });
  }
  return calls;
}

/**
 * Steps 1 to 3 of one quickstart, in its own scratch app: install, write the files, typecheck.
 * Returns the quickstart's state for {@link exercise}; `failures` is not empty when a step failed.
 */
async function prepare(doc, tarballs, root, env, port) {
  const name = doc.replace(/^quickstart-/, "").replace(/\.md$/, "");
  const markdown = readFileSync(join(repoRoot, "docs", doc), "utf8");
  const quickstart = { doc, name, markdown, port, steps: [], failures: [], spent: 0 };
  const log = (line) => quickstart.steps.push(line);
  const fail = (message) => {
    quickstart.failures.push(message);
    return quickstart;
  };
  const blocks = markedBlocks(markdown);
  const install = blocks.find((block) => block.kind === "install");
  const files = blocks.filter((block) => block.kind === "file");
  Object.assign(quickstart, {
    files,
    start: blocks.find((block) => block.kind === "start"),
    curl: blocks.find((block) => block.kind === "curl"),
  });
  for (const what of ["install", "start", "curl"]) {
    if (!blocks.some((block) => block.kind === what)) fail(`no <!-- quickstart:${what} --> block`);
  }
  if (files.length === 0) fail("no <!-- quickstart:file … --> block");
  if (quickstart.failures.length) return quickstart;
  if (port !== 3000) log(`port 3000 is taken: using ${port} in the code and the curl block`);
  quickstart.onPort = (text) => (port === 3000 ? text : text.replace(/\b3000\b/g, String(port)));

  const app = join(root, `quickstart-${name}`);
  quickstart.app = app;
  mkdirSync(app, { recursive: true });

  // 1. Install, with the tarballs for the @scimkit packages.
  let time = Date.now();
  const missing = [];
  const installScript = install.code.replace(/(?<![\w./-])@scimkit\/([a-z0-9-]+)(?![\w/-])/g, (whole, short) => {
    const tarball = tarballs.get(`@scimkit/${short}`);
    if (!tarball) missing.push(whole);
    return tarball ?? whole;
  });
  if (missing.length) return fail(`no tarball for ${missing.join(", ")}`);
  const installed = await runScript(`set -euo pipefail\n${installScript}`, app, env);
  if (installed.code !== 0) return fail(`install failed:\n${installed.output}`);
  log(`install as written (${seconds(time)})`);

  // 2. The files, as written.
  for (const file of files) {
    const target = join(app, file.arg);
    if (relative(app, target).startsWith("..")) return fail(`${file.arg}: outside the app`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, quickstart.onPort(file.code));
  }
  log(`wrote ${files.map((file) => file.arg).join(", ")}`);

  quickstart.nextStart = quickstart.start.arg === "next";
  if (quickstart.nextStart) {
    // What create-next-app gives an app (scripts, TypeScript and types), or the stand-in's own needs:
    // tsx to load TypeScript and Node's types for the typecheck.
    const extra = nextBuild
      ? 'npm pkg set scripts.dev="next dev" scripts.build="next build" scripts.start="next start" && ' +
        "npm install --silent --save-dev next react react-dom typescript@5 @types/node @types/react"
      : "npm install --no-save --silent tsx @types/node";
    const installed = await runScript(extra, app, env);
    if (installed.code !== 0) return fail(`installing the Next app's tools failed:\n${installed.output}`);
  }

  // 3. Typecheck the files against the installed packages.
  time = Date.now();
  const tsconfig = {
    ...(existsSync(join(app, "tsconfig.json")) ? { extends: "./tsconfig.json" } : {}),
    compilerOptions: {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: "es2022",
      ...(quickstart.nextStart
        ? { module: "esnext", moduleResolution: "bundler" }
        : { module: "nodenext", moduleResolution: "nodenext" }),
    },
    files: files.map((file) => file.arg).filter((file) => /\.[cm]?tsx?$/.test(file)),
  };
  writeFileSync(join(app, "tsconfig.quickstart.json"), JSON.stringify(tsconfig, null, 2));
  const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  const typecheck = await runScript(`"${process.execPath}" "${tsc}" -p tsconfig.quickstart.json`, app, env);
  if (typecheck.code !== 0) return fail(`typecheck failed:\n${typecheck.output}`);
  log(`typecheck (${seconds(time)})`);
  return quickstart;
}

/** Steps 4 and 5 of a prepared quickstart: start it, run the curl block, check the prose's claims. */
async function exercise(quickstart, env) {
  const { app, files, start, curl, markdown, port, steps, failures } = quickstart;
  const log = (line) => steps.push(line);
  const fail = (message) => {
    failures.push(message);
    return quickstart;
  };
  const check = (condition, message) => condition || failures.push(message);

  // 4. Start, and wait for the base URL and the token.
  let time = Date.now();
  let startScript = start.code;
  if (quickstart.nextStart && nextBuild) {
    startScript = "npm run build && npm start";
    log(`start: \`${startScript}\`, the alternative the start block gives`);
  } else if (quickstart.nextStart) {
    const route = files.find((file) => /(^|\/)app\/.*route\.[jt]s$/.test(file.arg));
    if (!route) return fail("no app/…/route.ts file block for the Next stand-in");
    const mount = `/${route.arg.replace(/^(src\/)?app\//, "").replace(/\/?\[\[\.\.\.\w+\]\]\/route\.[jt]s$/, "")}`;
    writeFileSync(join(app, "next-stand-in.mjs"), nextStandIn);
    startScript = `npx tsx next-stand-in.mjs ${JSON.stringify(route.arg)} ${mount} ${port}`;
    log(`start: the Next stand-in for \`${start.code.trim().split("\n")[0]}\` (route handlers on ${mount})`);
  }
  const serverEnv = quickstart.nextStart ? { ...env, PORT: String(port), NEXT_TELEMETRY_DISABLED: "1" } : env;
  const ready = (output) => {
    const base = /SCIM base URL: (\S+)/.exec(output)?.[1];
    const token = /Bearer token: (\S+)/.exec(output)?.[1];
    return base && token ? { base, token } : undefined;
  };
  const server = startServer(startScript, app, serverEnv, ready, nextBuild ? 300_000 : 90_000);
  try {
    let printed;
    try {
      printed = await server.ready;
      await waitForPort(port);
    } catch (error) {
      return fail(`${error.message}:\n${server.output}`);
    }
    log(`started with \`${startScript.trim()}\`: token printed (${seconds(time)})`);
    check(printed.base === `http://localhost:${port}/scim/v2`, `printed base URL ${printed.base}`);
    check(/^scimkit_\S+$/.test(printed.token), `printed token ${printed.token} does not start with scimkit_`);

    // 5. The curl block, with the printed token.
    time = Date.now();
    if (curl.code.split("\n").filter((line) => /^TOKEN=/.test(line)).length !== 1) {
      return fail("the curl block has no single TOKEN= line");
    }
    const curlScript = quickstart.onPort(curl.code).replace(/^TOKEN=.*$/m, `TOKEN='${printed.token}'`);
    const out = join(app, ".curl");
    mkdirSync(out, { recursive: true });
    const curled = await runScript(`${curlShim}\n${curlScript}`, app, { ...env, QS_OUT: out }, { timeoutMs: 60_000 });
    check(curled.code === 0, `the curl block failed:\n${curled.output}`);
    const calls = readCalls(out);
    check(calls.length > 0, "the curl block made no call");
    for (const call of calls)
      check(call.status < 400, `curl #${call.index} (${call.args}) answered ${call.status}: ${call.body}`);
    const config = calls.find((call) => /\/ServiceProviderConfig"?(\s|$)/.test(call.args));
    check(config?.status === 200, "GET /ServiceProviderConfig did not answer 200");
    const created = calls.find((call) => /-X POST/.test(call.args) && /\/Users"?(\s|$)/.test(call.args));
    check(created?.status === 201, "POST /Users did not answer 201");
    check(/^location: /im.test(created?.headers ?? ""), "POST /Users answered without a Location header");
    const user = parseJson(created?.body);
    const filtered = calls.find((call) => /filter=/.test(call.args));
    if (filtered) {
      const found = parseJson(filtered.body);
      check(
        found?.totalResults === 1 && found.Resources?.[0]?.id === user?.id,
        `the filter did not find the user: ${filtered.body}`,
      );
    }
    log(`curl block: ${calls.map((call) => call.status).join(", ")} (${seconds(time)})`);

    // The prose's claims: the answer without a token, and the server log line.
    const noToken = /Without the `Authorization` header every call answers `(\d{3})` with detail `"([^"]+)"`/.exec(
      markdown,
    );
    if (noToken) {
      const response = await fetch(`${printed.base}/Users`);
      const body = parseJson(await response.text()) ?? {};
      check(response.status === Number(noToken[1]), `without a token: ${response.status}, not ${noToken[1]}`);
      check(body.detail === noToken[2], `without a token: detail ${JSON.stringify(body.detail)}`);
      log(`no token: ${response.status} "${body.detail}"`);
    }
    const logLine = /The server log shows `([^`]+)`/.exec(markdown);
    if (logLine) {
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 200));
      const parts = logLine[1]
        .split("…")
        .map((part) => part.trim())
        .filter(Boolean);
      const absent = parts.filter((part) => !server.output.includes(part));
      check(
        absent.length === 0,
        `the server log lacks ${absent.map((part) => JSON.stringify(part)).join(", ")}:\n${server.output}`,
      );
      if (absent.length === 0) log(`server log shows ${parts.map((part) => JSON.stringify(part)).join(" … ")}`);
    }
  } finally {
    await server.stop();
  }
  return quickstart;
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------

const docs = readdirSync(join(repoRoot, "docs"))
  .filter((file) => /^quickstart-.+\.md$/.test(file))
  .sort();
const covered = docs.filter((doc) => /<!--\s*quickstart:/.test(readFileSync(join(repoRoot, "docs", doc), "utf8")));
const selected = covered.filter((doc) => !only || only.includes(doc.replace(/^quickstart-|\.md$/g, "")));

// Tarballs: given, or packed (and checked) now.
let packsDir = option("--packs");
let ownPacks = false;
if (packsDir) {
  packsDir = resolve(packsDir);
} else {
  const packed = await packAll();
  packsDir = packed.out;
  ownPacks = true;
  if (!packed.ok) {
    rmSync(packsDir, { recursive: true, force: true });
    process.exit(1);
  }
}
const tarballs = new Map();
for (const pkg of publishablePackages()) {
  const file = join(packsDir, tarballName(pkg.name, pkg.version));
  if (existsSync(file)) tarballs.set(pkg.name, file);
}

// The tarball names the docs tell users to install are the ones packed now (same versions).
const packedNames = new Set([...tarballs.values()].map((file) => basename(file)));
const staleNames = [];
for (const doc of [...docs, "installing.md"]) {
  const text = existsSync(join(repoRoot, "docs", doc)) ? readFileSync(join(repoRoot, "docs", doc), "utf8") : "";
  for (const [name] of text.matchAll(/scimkit-[a-z0-9-]+?-\d+\.\d+\.\d+[\w.-]*?\.tgz/g)) {
    if (!packedNames.has(name)) staleNames.push(`docs/${doc} mentions ${name}, which is not packed`);
  }
}

const root = mkdtempSync(join(tmpdir(), "scimkit-quickstarts-"));
if (!relative(repoRoot, root).startsWith("..")) throw new Error(`the scratch folder ${root} is inside the workspace`);
console.log(`scratch apps in ${root} (outside the workspace), tarballs from ${packsDir}`);

const env = scratchEnvironment();
const ports = new Map();
const port3000 = await portIsFree(3000);
for (const doc of selected) ports.set(doc, port3000 ? 3000 : await freePort());

// Installs and typechecks two at a time (mostly waiting on the registry); the servers one at a time.
const prepared = new Map();
const queue = [...selected];
const worker = async () => {
  for (let doc = queue.shift(); doc; doc = queue.shift()) {
    const began = Date.now();
    const failed = (error) => ({ doc, steps: [], failures: [error.stack ?? String(error)], spent: 0 });
    const quickstart = await prepare(doc, tarballs, root, env, ports.get(doc)).catch(failed);
    quickstart.spent += Date.now() - began;
    prepared.set(doc, quickstart);
  }
};
await Promise.all([worker(), worker()]);

const results = [];
for (const doc of selected) {
  const quickstart = prepared.get(doc);
  const began = Date.now();
  if (quickstart.failures.length === 0) {
    await exercise(quickstart, env).catch((error) => quickstart.failures.push(error.stack ?? String(error)));
  }
  quickstart.spent += Date.now() - began;
  results.push(quickstart);
  console.log(`${quickstart.failures.length ? "FAIL" : "ok  "} ${doc} (${(quickstart.spent / 1000).toFixed(1)} s)`);
  for (const step of quickstart.steps) console.log(`       ${step}`);
  for (const failure of quickstart.failures) console.log(`       error: ${failure.replace(/\n/g, "\n         ")}`);
}
for (const doc of docs.filter((doc) => !covered.includes(doc))) {
  console.log(`     ${doc}: not covered (no <!-- quickstart:… --> markers)`);
}

if (!keep) rmSync(root, { recursive: true, force: true });
if (ownPacks) rmSync(packsDir, { recursive: true, force: true });
// The tarball names in the docs count as one more check.
for (const stale of staleNames) console.log(`FAIL ${stale}`);
if (staleNames.length === 0)
  console.log(`ok   the tarball names in docs/ are the packed ones (${[...packedNames].length})`);
const failed = results.filter((result) => result.failures.length).length + (staleNames.length ? 1 : 0);
const checks = results.length + 1;
console.log(`quickstarts took ${seconds(started)}`);
console.log(`quickstarts: ${checks - failed} passed, ${failed} failed`);
process.exitCode = failed || results.length === 0 ? 1 : 0;
