/**
 * What the harness and a server child say to each other over the IPC channel. The child seeds its
 * data in-process, starts listening on 127.0.0.1, and reports the fixtures the scenarios need (ids,
 * token, group) together with how seeding went and its memory after seeding.
 */

/** The servers under test. `bare` is a plain Express route: the framework's ceiling. */
export type ServerKind = "bare" | "scimkit-memory" | "scimkit-durable" | "scimkit-pglite" | "scimkit-pg" | "scimmy";

export const SERVER_KINDS: readonly ServerKind[] = [
  "bare",
  "scimkit-memory",
  "scimkit-durable",
  "scimkit-pglite",
  "scimkit-pg",
  "scimmy",
];

export const SERVER_LABELS: Readonly<Record<ServerKind, string>> = {
  bare: "bare Express",
  "scimkit-memory": "scimkit · memory",
  "scimkit-durable": "scimkit · embedded (durable)",
  "scimkit-pglite": "scimkit · PGlite",
  "scimkit-pg": "scimkit · PostgreSQL",
  scimmy: "SCIMMY",
};

/**
 * scimkit on the memory store as an earlier commit has it (`--baseline <ref>`): its own child, built
 * in a git worktree of that commit, serving the `scimkit-memory` kind. Its figures go under this name.
 */
export const BASELINE = "scimkit-memory-baseline";

/** Whatever a run measures: one of the servers above, or the baseline beside HEAD's memory store. */
export type MeasuredServer = ServerKind | typeof BASELINE;

/** A server's name in progress lines and the report; the baseline is named by the ref it was built from. */
export function serverLabel(server: MeasuredServer, baselineRef?: string): string {
  return server === BASELINE ? `scimkit · memory @ ${baselineRef ?? "baseline"}` : SERVER_LABELS[server];
}

/** What a child is asked to build. */
export interface ChildConfig {
  readonly kind: ServerKind;
  /** Users to seed; the big group holds all of them. */
  readonly users: number;
  /** Extra users outside the group, added to and removed from it by the membership scenario. */
  readonly outsiders: number;
  /** Each seeding step stops after this long and reports how far it got. */
  readonly seedBudgetMs: number;
  /** Connection string of a real PostgreSQL server (`scimkit-pg` only). */
  readonly pgUrl?: string | undefined;
}

/** How seeding went, step by step. */
export interface SeedReport {
  readonly usersWanted: number;
  readonly usersSeeded: number;
  readonly userSeconds: number;
  readonly membersWanted: number;
  readonly membersSeeded: number;
  readonly memberSeconds: number;
  /** How the data went in (e.g. "POST through fetch"), for the report. */
  readonly method: string;
}

/** What the scenarios need to address the seeded data. */
export interface Fixtures {
  /** Sent as `Authorization: Bearer …`. */
  readonly token: string;
  /** Ids of the seeded users; index i has userName `user{i}@example.com`. */
  readonly userIds: readonly string[];
  /** Ids of the users outside the big group; index j has userName `outsider{j}@example.com`. */
  readonly outsiderIds: readonly string[];
  readonly groupId: string;
  /**
   * `nextCursor`s (RFC 9865) spread evenly along a walk of every user in pages of 100, taken after
   * seeding; absent for a server without cursor paging.
   */
  readonly cursors?: readonly string[] | undefined;
}

/** The server's memory after seeding and a full garbage collection. */
export interface MemoryReport {
  readonly rssBytes: number;
  /** Live JavaScript heap: what the data itself costs, without the runtime's reserved pages. */
  readonly heapUsedBytes: number;
  /** Memory outside the JS heap (buffers, WebAssembly memory such as PGlite's). */
  readonly externalBytes: number;
}

export interface Frame {
  readonly name: string;
  readonly location: string;
  /** Share of the profile's samples spent in this frame itself. */
  readonly selfShare: number;
}

export type ChildMessage =
  | { readonly type: "progress"; readonly text: string }
  | {
      readonly type: "ready";
      readonly port: number;
      readonly seed: SeedReport;
      readonly fixtures: Fixtures;
      readonly memory: MemoryReport;
    }
  | { readonly type: "failed"; readonly message: string }
  | { readonly type: "profile-saved"; readonly file: string; readonly top: readonly Frame[] }
  /** The child's CPU time so far (user + system, every thread), in microseconds. */
  | { readonly type: "cpu"; readonly micros: number };

export type ParentMessage =
  | { readonly type: "profile-start" }
  | { readonly type: "profile-stop"; readonly file: string }
  | { readonly type: "cpu" }
  | { readonly type: "stop" };

/** Where every server mounts SCIM, so the scenarios address all of them alike. */
export const SCIM_BASE = "/scim/v2";
