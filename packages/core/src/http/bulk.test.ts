import { describe, expect, it } from "vitest";
import { runBulk } from "./bulk.js";
import type { ScimReply, ScimRequest } from "./exchange.js";

const parent: ScimRequest = {
  method: "POST",
  url: "https://app.example.com/scim/v2/Bulk",
  header: () => null,
  text: async () => "",
  webRequest: async () => new Request("https://app.example.com/scim/v2/Bulk"),
};
const limits = { maxOperations: 10, maxPayloadSize: 1 << 20 };

/** `depth` nested arrays around a string, parsed from text as a client would send it. */
const nested = (depth: number): unknown => JSON.parse(`${"[".repeat(depth)}"x"${"]".repeat(depth)}`);

describe("runBulk", () => {
  it("refuses an operation whose data nests too deep, without walking it (no stack overflow)", async () => {
    const ran: string[] = [];
    const run = async (op: ScimRequest): Promise<ScimReply> => {
      ran.push(await op.text(1 << 20));
      return { status: 201, headers: { location: "https://app.example.com/scim/v2/Users/u1" }, body: "{}" };
    };
    const body = {
      Operations: [
        { method: "POST", path: "/Users", bulkId: "deep", data: { userName: "a", name: nested(100_000) } },
        { method: "POST", path: "/Users", data: { userName: "b", name: nested(10) } },
      ],
    };
    const answer = await runBulk(parent, "https://app.example.com/scim/v2", body, limits, run);
    expect(answer["Operations"]).toMatchObject([
      { method: "POST", bulkId: "deep", status: "400", response: { status: "400", scimType: "invalidSyntax" } },
      { method: "POST", status: "201" },
    ]);
    expect(ran).toHaveLength(1);
  });
});
