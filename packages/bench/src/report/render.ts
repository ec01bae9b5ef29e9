/**
 * The report of one run as markdown: throughput and latency per scenario and server with ratios
 * to the ceiling and to SCIMMY, seeding and memory, the target checks, and profiles when taken.
 */
import { BASELINE, serverLabel, type MeasuredServer } from "../protocol.js";
import {
  CEILING,
  ceilingFor,
  ceilingRatio,
  ceilingSamples,
  findMeasurement,
  type BaselineInfo,
  type BenchResults,
} from "../results.js";
import { SCENARIOS } from "../scenarios.js";
import type { TargetCheck } from "../targets.js";
import { int, mark, markdownTable, mib, ms, rate, times } from "./format.js";

/** Names a server as the report does, the baseline by its ref. */
const labelIn = (results: Pick<BenchResults, "baseline">) => (server: MeasuredServer) =>
  serverLabel(server, results.baseline?.ref);

const sizeLabel = (n: number) => `N = ${n.toLocaleString("en-US")}`;
/** The server's CPU time per response; absent from runs saved before it was measured. */
const cpu = (micros: number | undefined) => (micros === undefined ? "" : int(micros));

function throughputTable(results: BenchResults, size: number): string {
  const label = labelIn(results);
  const servers = [
    ...new Set(results.measurements.filter((m) => m.size === size && m.server !== "bare").map((m) => m.server)),
  ];
  const rows: string[][] = [];
  const bare = findMeasurement(results, "bare", size, CEILING);
  if (bare !== undefined) {
    const l = bare.load;
    rows.push([
      "ceiling: GET small JSON",
      label("bare"),
      rate(l.reqPerSec),
      ms(l.p50Ms),
      ms(l.p99Ms),
      cpu(l.cpuMicrosPerRequest),
      int(l.non2xx + l.errors),
      rate(l.reqPerSec),
      "1.00×",
      "",
      "",
    ]);
  }
  for (const s of SCENARIOS) {
    for (const server of servers) {
      const m = findMeasurement(results, server, size, s.id);
      if (m === undefined) continue;
      const l = m.load;
      const scimmy = findMeasurement(results, "scimmy", size, s.id)?.load.reqPerSec;
      const top = ceilingFor(results, m);
      const r = ceilingRatio(results, m);
      const target =
        server === "scimkit-memory" && r !== undefined ? `≥ ${s.minRatio.toFixed(1)} ${mark(r >= s.minRatio)}` : "";
      rows.push([
        s.label,
        label(server),
        m.connections === 1 && results.settings.connections !== 1 ? `¹ ${rate(l.reqPerSec)}` : rate(l.reqPerSec),
        ms(l.p50Ms),
        ms(l.p99Ms),
        cpu(l.cpuMicrosPerRequest),
        int(l.non2xx + l.errors),
        top === undefined ? "" : rate(top),
        times(r),
        server === "scimmy" || scimmy === undefined ? "" : times(scimmy > 0 ? l.reqPerSec / scimmy : Infinity),
        target,
      ]);
    }
  }
  const table = markdownTable(
    [
      "scenario",
      "server",
      "req/s",
      "p50 ms",
      "p99 ms",
      "CPU µs/req",
      "non-2xx",
      "ceiling",
      "× ceiling",
      "× SCIMMY",
      "target",
    ],
    rows,
    ["left", "left", "right", "right", "right", "right", "right", "right", "right", "right", "left"],
  );
  const notes: string[] = [];
  const samples = ceilingSamples(results, size);
  const paired = results.measurements.some((m) => m.size === size && m.ceilingPair !== undefined);
  if (paired && samples.length > 1) {
    const median = samples[Math.floor(samples.length / 2)] ?? 0;
    notes.push(
      `"ceiling" is the bare route's req/s measured just before and just after that scenario (their mean), which "× ceiling" divides by: ${samples.length} samples in this block, ${rate(samples[0] ?? 0)} to ${rate(samples[samples.length - 1] ?? 0)} req/s, median ${rate(median)}.`,
    );
  }
  const single = results.measurements.filter(
    (m) => m.size === size && m.connections === 1 && results.settings.connections !== 1,
  );
  if (single.length === 0) return [table, ...notes].join("\n\n");
  const longest = Math.max(...single.map((m) => m.seconds));
  return `${[table, ...notes].join("\n\n")}\n\n¹ One request took over 0.5 s, so this was measured on one connection (for up to ${longest.toFixed(0)} s) instead of ${results.settings.connections}, to leave no backlog for the next scenario. A single-threaded server is saturated either way, so req/s compares; latency does not.`;
}

function seedingTable(results: BenchResults): string {
  const label = labelIn(results);
  const rows = results.runs.map((r) => {
    const s = r.seed;
    if (s === undefined)
      return [label(r.server), int(r.size), `failed: ${r.failure ?? "no report"}`, "", "", "", "", ""];
    const rate = (done: number, seconds: number) => (done > 0 && seconds > 0 ? int(done / seconds) : "–");
    const part = (done: number, wanted: number) => (done === wanted ? int(done) : `${int(done)} of ${int(wanted)}`);
    return [
      label(r.server),
      int(r.size),
      r.server === "bare" ? "–" : part(s.usersSeeded, s.usersWanted),
      r.server === "bare" ? "–" : rate(s.usersSeeded, s.userSeconds),
      r.server === "bare" ? "–" : part(s.membersSeeded, s.membersWanted),
      r.server === "bare" ? "–" : rate(s.membersSeeded, s.memberSeconds),
      r.memory === undefined
        ? "–"
        : `${mib(r.memory.rssBytes)} / ${mib(r.memory.heapUsedBytes)} / ${mib(r.memory.externalBytes)}`,
      r.startSeconds === undefined ? "–" : r.startSeconds.toFixed(1),
    ];
  });
  return markdownTable(
    [
      "server",
      "N",
      "users seeded",
      "users/s",
      "group members",
      "members/s",
      "RSS / heap / external MiB",
      "ready after s",
    ],
    rows,
    ["left", "right", "right", "right", "right", "right", "right", "right"],
  );
}

function seedingMethods(results: BenchResults): string {
  const label = labelIn(results);
  const seen = new Map<MeasuredServer, string>();
  for (const r of results.runs) if (r.seed !== undefined && r.server !== "bare") seen.set(r.server, r.seed.method);
  const lines = [...seen].map(([server, method]) => `- ${label(server)}: ${method}.`);
  // A server that failed after seeding keeps its row above; what stopped it is said here.
  for (const r of results.runs) {
    if (r.seed !== undefined && r.failure !== undefined)
      lines.push(`- ${label(r.server)} at N = ${int(r.size)} stopped early: ${r.failure}.`);
  }
  return lines.join("\n");
}

function checksTable(checks: readonly TargetCheck[]): string {
  const order: TargetCheck["kind"][] = ["ceiling-ratio", "vs-memory", "vs-scimmy", "flat-in-n", "rss"];
  const sorted = [...checks].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  return markdownTable(
    ["", "target", "want", "got"],
    sorted.map((c) => [mark(c.met), c.subject, c.want, c.got]),
  );
}

function profilesSection(results: BenchResults): string {
  const label = labelIn(results);
  const parts: string[] = [];
  for (const r of results.runs) {
    for (const p of r.profiles) {
      const scenario = SCENARIOS.find((s) => s.id === p.scenario)?.label ?? p.scenario;
      parts.push(
        `#### ${label(r.server)} · ${scenario} · ${sizeLabel(r.size)}\n\n` +
          markdownTable(
            ["self %", "function", "where"],
            p.top.slice(0, 10).map((f) => [(f.selfShare * 100).toFixed(1), f.name, f.location]),
            ["right", "left", "left"],
          ),
      );
    }
  }
  return parts.length === 0 ? "" : `### CPU profiles (self time, top frames)\n\n${parts.join("\n\n")}\n`;
}

const change = (x: number | undefined): string =>
  x === undefined || !Number.isFinite(x) ? "–" : `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(0)} %`;

/**
 * `--baseline`: each scenario on HEAD's memory store against the same scenario on the baseline's,
 * taken minutes apart at most, each as a share of the ceiling sampled around it, and the change.
 */
function baselineSection(results: BenchResults): string {
  const b = results.baseline;
  if (b === undefined) return "";
  const rows: string[][] = [];
  for (const size of results.sizes) {
    for (const s of SCENARIOS) {
      const head = findMeasurement(results, "scimkit-memory", size, s.id);
      const base = findMeasurement(results, BASELINE, size, s.id);
      if (head === undefined || base === undefined) continue;
      const hr = ceilingRatio(results, head);
      const br = ceilingRatio(results, base);
      const hc = head.load.cpuMicrosPerRequest;
      const bc = base.load.cpuMicrosPerRequest;
      rows.push([
        s.label,
        int(size),
        rate(base.load.reqPerSec),
        times(br),
        rate(head.load.reqPerSec),
        times(hr),
        change(hr !== undefined && br !== undefined && br > 0 ? hr / br - 1 : undefined),
        cpu(bc),
        cpu(hc),
        change(hc !== undefined && bc !== undefined && bc > 0 ? hc / bc - 1 : undefined),
      ]);
    }
  }
  const ref = `@ ${b.ref}`;
  const table = markdownTable(
    [
      "scenario",
      "N",
      `${ref} req/s`,
      `${ref} × ceiling`,
      "HEAD req/s",
      "HEAD × ceiling",
      "change",
      `${ref} CPU µs/req`,
      "HEAD CPU µs/req",
      "change",
    ],
    rows,
    ["left", "right", "right", "right", "right", "right", "right", "right", "right", "right"],
  );
  return [
    `### HEAD against ${b.ref}`,
    "",
    `The memory store at \`${b.ref}\` (${b.commit.slice(0, 10)}, "${b.subject}"), built in a git worktree of that commit with its own server child, ran beside HEAD's: both seeded alike and kept up through each N, each scenario taken on one and then on the other (in turns: the first one of a scenario goes second in the next), each divided by the ceiling sampled just before and just after it. "change" is HEAD's share of the ceiling over the baseline's, and HEAD's CPU time per request over the baseline's (negative is cheaper).`,
    "",
    table,
  ].join("\n");
}

/** HEAD's commit, and whether the tree that ran had changes on top of it. */
function headState(b: BaselineInfo): string {
  const n = b.head.uncommitted.length;
  return `${b.head.commit.slice(0, 10)}${n === 0 ? ", clean" : ` with ${n} uncommitted file${n === 1 ? "" : "s"} the children load (${b.head.uncommitted.slice(0, 5).join(", ")}${n > 5 ? ", …" : ""})`}`;
}

/** The whole generated block. */
export function renderResults(results: BenchResults, checks: readonly TargetCheck[]): string {
  const m = results.machine;
  const minutes = (results.finishedAt.getTime() - results.startedAt.getTime()) / 60_000;
  const met = checks.filter((c) => c.met).length;
  const lines = [
    `Run on ${results.startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC (one run, ${minutes.toFixed(0)} min): \`${results.command}\``,
    "",
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; Node ${m.node}.`,
    `- Load: autocannon, ${results.settings.connections} keep-alive connections, ${results.settings.warmupSeconds} s warm-up then ${results.settings.seconds} s measured per scenario; the load generator and each server run in separate processes, one server at a time.`,
    `- Versions: ${Object.entries(m.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}.`,
    ...(results.baseline === undefined
      ? []
      : [
          `- Baseline: \`${results.baseline.ref}\` = ${results.baseline.commit.slice(0, 10)} ("${results.baseline.subject}"), built in a temporary git worktree with its own child; its express (scimkit) ${results.baseline.express}. HEAD = ${headState(results.baseline)}.`,
        ]),
    "",
    ...results.sizes.flatMap((size) => [`### ${sizeLabel(size)}`, "", throughputTable(results, size), ""]),
    baselineSection(results),
    "",
    "### Seeding and memory after seeding",
    "",
    seedingTable(results),
    "",
    seedingMethods(results),
    "",
    `### Targets: ${met} of ${checks.length} met`,
    "",
    checksTable(checks),
    "",
    profilesSection(results),
  ];
  return `${lines
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}

export const BEGIN = "<!-- bench:results:begin (generated by `pnpm bench`; edit outside these markers) -->";
export const END = "<!-- bench:results:end -->";

const SKELETON = `# Benchmarks

How fast scimkit answers what IdPs send, next to the ceiling of the framework it runs in (a bare
Express route) and next to SCIMMY, in one run on one machine.

Reproduce from the repository root with \`pnpm bench\` (about 20 minutes; \`pnpm bench --quick\` for a
three-minute smoke run). \`pnpm bench --help\` lists the options.

## Results

${BEGIN}
${END}
`;

/** Puts `block` between the markers of `doc` (a fresh skeleton when there is none), keeping everything else. */
export function mergeIntoDoc(doc: string | null, block: string): string {
  const base = doc?.includes(BEGIN) && doc.includes(END) ? doc : SKELETON;
  const start = base.indexOf(BEGIN) + BEGIN.length;
  const end = base.indexOf(END);
  return `${base.slice(0, start)}\n${block}${base.slice(end)}`;
}
