/**
 * Group membership PATCH benchmark: ops/s for adding one member and removing one member
 * (`members[value eq "id"]`) through `server.fetch` on a group of 1,000 and of 100,000 members, with
 * the memory store. A member PATCH never reads the member list, so the figures must not fall as the
 * group grows. Run: `node --conditions=source --import tsx bench/members.ts` in packages/core
 * (`BENCH_MS` sets the measuring time per size, default 2000).
 */
import { createScimServer } from "../src/index.js";

const DURATION_MS = Number(process.env["BENCH_MS"] ?? 2000);
const SPARE = 1_000;
const patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

async function seeded(n: number) {
  const server = createScimServer();
  const dir = await server.directories.create({
    tenantId: "bench",
    name: "bench",
    idp: "okta",
    patchResponse: { Group: "noContent" },
  });
  const { token } = await server.directories.mintToken(dir.id);
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/scim+json" };
  const call = (method: string, path: string, body: unknown) =>
    server.fetch(new Request(`http://127.0.0.1/scim/v2${path}`, { method, headers, body: JSON.stringify(body) }));
  const ids: string[] = [];
  for (let i = 0; i < n + SPARE; i++) {
    const res = await call("POST", "/Users", { userName: `member${i}@example.com`, active: true });
    ids.push(((await res.json()) as { id: string }).id);
  }
  const group = (await (await call("POST", "/Groups", { displayName: "Everyone" })).json()) as { id: string };
  for (let i = 0; i < n; i += 1_000) {
    const value = ids.slice(i, Math.min(i + 1_000, n)).map((id) => ({ value: id }));
    const res = await call("PATCH", `/Groups/${group.id}`, {
      schemas: [patchOp],
      Operations: [{ op: "add", path: "members", value }],
    });
    if (res.status >= 300) throw new Error(`seeding members: status ${res.status}`);
  }
  return { call, groupId: group.id, spare: ids.slice(n) };
}

async function timed(run: () => Promise<Response>, label: string): Promise<number> {
  const started = performance.now();
  const res = await run();
  await res.arrayBuffer();
  if (res.status !== 200 && res.status !== 204) throw new Error(`${label}: status ${res.status}`);
  return performance.now() - started;
}

const rate = (count: number, ms: number) =>
  Math.round(count / (ms / 1000))
    .toLocaleString("en-US")
    .padStart(9);

for (const n of [1_000, 100_000]) {
  const { call, groupId, spare } = await seeded(n);
  const add = (id: string) =>
    call("PATCH", `/Groups/${groupId}`, {
      schemas: [patchOp],
      Operations: [{ op: "add", path: "members", value: [{ value: id }] }],
    });
  const remove = (id: string) =>
    call("PATCH", `/Groups/${groupId}`, {
      schemas: [patchOp],
      Operations: [{ op: "remove", path: `members[value eq "${id}"]` }],
    });
  for (let i = 0; i < 200; i++) {
    // Warm-up: the same work as measured, so the group size stays at n.
    const id = spare[i % spare.length] as string;
    await (await add(id)).arrayBuffer();
    await (await remove(id)).arrayBuffer();
  }
  let count = 0;
  let addMs = 0;
  let removeMs = 0;
  const end = performance.now() + DURATION_MS;
  while (performance.now() < end) {
    const id = spare[count % spare.length] as string;
    addMs += await timed(() => add(id), "add member");
    removeMs += await timed(() => remove(id), "remove member");
    count += 1;
  }
  console.log(`add one member     N=${String(n).padStart(7)}  ${rate(count, addMs)} ops/s`);
  console.log(`remove one member  N=${String(n).padStart(7)}  ${rate(count, removeMs)} ops/s`);
}
