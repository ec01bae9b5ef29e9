/**
 * Memory-store lookup benchmark: ops/s for GET /Users/{id} and `filter=userName eq "…"` through
 * `server.fetch` at 1,000 and 100,000 users. Both are index lookups, so the figures must not fall
 * as N grows. Run: `npx -y pnpm@9.15.9 --filter @scimkit/core bench:lookups`.
 */
import { createScimServer } from "../src/index.js";

const DURATION_MS = Number(process.env["BENCH_MS"] ?? 2000);

async function seeded(n: number) {
  const server = createScimServer();
  const dir = await server.directories.create({ tenantId: "bench", name: "bench" });
  const { token } = await server.directories.mintToken(dir.id);
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/scim+json" };
  const ids: string[] = [];
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const res = await server.fetch(
      new Request("http://127.0.0.1/scim/v2/Users", {
        method: "POST",
        headers,
        body: JSON.stringify({
          userName: `user${i}@example.com`,
          externalId: `e${i}`,
          name: { givenName: "U", familyName: String(i) },
          emails: [{ value: `user${i}@example.com`, type: "work", primary: true }],
        }),
      }),
    );
    ids.push(((await res.json()) as { id: string }).id);
  }
  const seedSeconds = (performance.now() - started) / 1000;
  return { server, headers, ids, seedRate: n / seedSeconds };
}

async function measure(label: string, n: number, op: (i: number) => Promise<Response>): Promise<void> {
  for (let i = 0; i < 500; i++) await (await op(i)).arrayBuffer(); // warm-up
  let count = 0;
  const end = performance.now() + DURATION_MS;
  while (performance.now() < end) {
    const res = await op(count);
    if (res.status !== 200) throw new Error(`${label}: status ${res.status}`);
    await res.arrayBuffer();
    count += 1;
  }
  console.log(
    `${label.padEnd(22)} N=${String(n).padStart(7)}  ${Math.round(count / (DURATION_MS / 1000))
      .toLocaleString("en-US")
      .padStart(9)} ops/s`,
  );
}

for (const n of [1_000, 100_000]) {
  const { server, headers, ids, seedRate } = await seeded(n);
  console.log(`seeded N=${n} at ${Math.round(seedRate).toLocaleString("en-US")} creates/s`);
  const pick = (i: number) => (i * 7919) % n;
  await measure("GET /Users/{id}", n, (i) =>
    server.fetch(new Request(`http://127.0.0.1/scim/v2/Users/${ids[pick(i)]}`, { headers })),
  );
  await measure('userName eq "…"', n, (i) =>
    server.fetch(
      new Request(
        `http://127.0.0.1/scim/v2/Users?filter=${encodeURIComponent(`userName eq "USER${pick(i)}@example.com"`)}`,
        { headers },
      ),
    ),
  );
}
