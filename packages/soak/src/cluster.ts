/**
 * A throwaway PostgreSQL cluster for one run: initdb in a temporary folder, on a free port, its
 * socket in that folder. The harness restarts it and ends its backends, which it must never do to a
 * server anyone else uses, so it never touches one it did not create.
 */
import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

/** The folder of PostgreSQL's server programs: `pg_config --bindir`, else the newest under /usr/lib/postgresql. */
export async function findPgBin(): Promise<string | null> {
  const has = (dir: string) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl"));
  try {
    const { stdout } = await exec("pg_config", ["--bindir"]);
    const dir = stdout.trim();
    if (has(dir)) return dir;
  } catch {
    // No pg_config on the PATH: look where Debian and Ubuntu put the server.
  }
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (has(join(root, v, "bin"))) return join(root, v, "bin");
  return null;
}

/** A port nobody listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface Cluster {
  readonly port: number;
  /** Connection string of the run's database. */
  readonly url: string;
  readonly database: string;
  /** `pg_ctl restart -m fast`: every session is cut, the server is back when it returns. */
  restart(): Promise<void>;
  /** Stops the server and removes its folder. */
  destroy(): Promise<void>;
}

const DATABASE = "soak";

/**
 * initdb refuses to run as root, so as root every server program runs as the `postgres` user, which
 * then owns the folder.
 */
function runner(): { readonly prefix: readonly string[]; readonly owner: { uid: number; gid: number } | null } {
  if (process.getuid?.() !== 0) return { prefix: [], owner: null };
  return { prefix: ["runuser", "-u", "postgres", "--"], owner: ownerOf("postgres") };
}

function ownerOf(user: string): { uid: number; gid: number } {
  // /etc/passwd lines: name:x:uid:gid:…
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${user}:`));
  const parts = line?.split(":") ?? [];
  const uid = Number(parts[2]);
  const gid = Number(parts[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(`no user "${user}" to run PostgreSQL as`);
  return { uid, gid };
}

export async function startCluster(bin: string, log: (line: string) => void): Promise<Cluster> {
  const { prefix, owner } = runner();
  const dir = mkdtempSync(join(tmpdir(), "scimkit-soak-"));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, "data");
  const run = async (program: string, args: readonly string[]) => {
    const [cmd, ...rest] = [...prefix, join(bin, program), ...args];
    if (cmd === undefined) throw new Error("no command");
    return exec(cmd, rest, { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
  };
  await run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses=127.0.0.1",
    // Room for three apps' pools, the harness's own connections and the ones a killed app leaves
    // behind until the server notices.
    "-c max_connections=200",
    // A soak measures correctness, not the disk: nothing here must outlive the run.
    "-c fsync=off",
    "-c full_page_writes=off",
  ].join(" ");
  const pgCtl = (args: readonly string[]) => run("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), ...args]);
  await pgCtl(["-w", "-o", options, "start"]);
  const url = `postgres://postgres@127.0.0.1:${port}/${DATABASE}`;
  const pg = (await import("pg")).default;
  const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
  log(`private PostgreSQL cluster on 127.0.0.1:${port} (${bin})`);
  let destroyed = false;
  return {
    port,
    url,
    database: DATABASE,
    restart: async () => {
      await pgCtl(["-w", "-m", "fast", "-o", options, "restart"]);
    },
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      try {
        await pgCtl(["-w", "-m", "immediate", "stop"]);
      } catch {
        // Already down: removing the folder is all that is left.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
