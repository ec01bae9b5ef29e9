/**
 * The process the crash test kills: a SCIM server on the durable memory store in the folder given
 * as the first argument, served over node:http on 127.0.0.1 and an ephemeral port. Prints
 * `listening <port>` once it takes requests. The bearer token comes from `SCIMKIT_TOKEN`;
 * `COMPACT_AFTER_BYTES` makes compactions frequent, so kills land during them too.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createMemoryStore, createScimServer } from "../../src/index.js";
import { nodeHandler } from "../../src/node/index.js";

const directory = process.argv[2];
const token = process.env["SCIMKIT_TOKEN"];
if (!directory || !token) throw new Error("usage: server.ts <data folder>, with SCIMKIT_TOKEN set");

const compactAfterBytes = Number(process.env["COMPACT_AFTER_BYTES"] ?? "") || undefined;
const scim = createScimServer({ store: createMemoryStore({ directory, compactAfterBytes }) });
const existing = (await scim.directories.list("crash"))[0];
if (!existing) {
  const created = await scim.directories.create({ tenantId: "crash", name: "Crash test" });
  await scim.directories.importToken(created.id, token);
}

const http = createServer(nodeHandler(scim));
http.listen(0, "127.0.0.1", () => {
  console.log(`listening ${(http.address() as AddressInfo).port}`);
});
