/** The command line of `pnpm soak`. */
import { parseArgs } from "node:util";
import { z } from "zod";

export const USAGE = `Usage: pnpm soak [options]
  --duration <s>   seconds of load (default 60)
  --faults <n>     faults of each kind: app kill, pg_terminate_backend, PostgreSQL restart (default 3)
  --seed <n>       seed of the request mix and the fault moments (default: random, printed)
  --apps <n>       app processes on the one database (default 3)
  --workers <n>    requests the IdP keeps in flight (default 6)
Needs the PostgreSQL server programs (initdb, pg_ctl): the run makes a private cluster of its own.`;

const Options = z.object({
  duration: z.coerce
    .number()
    .int()
    .min(10)
    .max(24 * 3600),
  faults: z.coerce.number().int().min(0).max(1000),
  seed: z.coerce.number().int().min(0).max(0xffffffff),
  apps: z.coerce.number().int().min(1).max(8),
  workers: z.coerce.number().int().min(1).max(64),
});
export type SoakOptions = z.infer<typeof Options>;

export function parseOptions(argv: readonly string[], randomSeed: () => number): SoakOptions | { error: string } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv].filter((a) => a !== "--"),
      options: {
        duration: { type: "string" },
        faults: { type: "string" },
        seed: { type: "string" },
        apps: { type: "string" },
        workers: { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  if (values["help"] === true) return { error: "" };
  const parsed = Options.safeParse({
    duration: values["duration"] ?? 60,
    faults: values["faults"] ?? 3,
    seed: values["seed"] ?? randomSeed(),
    apps: values["apps"] ?? 3,
    workers: values["workers"] ?? 6,
  });
  if (!parsed.success)
    return { error: parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("\n") };
  return parsed.data;
}
