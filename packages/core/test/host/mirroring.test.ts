import { describe, expect, it } from "vitest";
import { harness, user } from "../support.js";

const patchOp = (...ops: unknown[]) => ({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations: ops,
});

describe("mirroring inside the unit of work", () => {
  it("writes the host's row with the change, and rolls both back when the host's write fails", async () => {
    let refuse = "";
    const h = await harness({
      tenantId: "t-mirror",
      onEventInTransaction: async (event, tx) => {
        if (event.type !== "user.created" && event.type !== "user.updated") return;
        if (event.user.displayName === refuse) throw new Error("host table constraint");
        await tx.putRecord("host.users", {
          id: event.user.id,
          data: { email: event.user.email, displayName: event.user.displayName, seq: event.seq },
        });
      },
      logger: { error: () => undefined },
    });
    const id = (await h.call("POST", "/Users", user("ada@example.com", { displayName: "Ada" }))).body.id as string;
    const read = () =>
      h.server.store.transaction("t-mirror", (tx) => tx.getRecord("host.users", id), { readOnly: true });
    expect((await read())?.data).toMatchObject({ email: "ada@example.com", displayName: "Ada" });

    refuse = "Countess";
    const res = await h.call(
      "PATCH",
      `/Users/${id}`,
      patchOp({ op: "replace", path: "displayName", value: "Countess" }),
    );
    expect(res.status).toBe(500);
    // Neither the SCIM change nor the host's row moved, and no event was kept.
    expect((await h.call("GET", `/Users/${id}`)).body.displayName).toBe("Ada");
    expect((await read())?.data).toMatchObject({ displayName: "Ada" });
    expect((await h.server.events.read("t-mirror")).filter((e) => e.type === "user.updated")).toEqual([]);
  });
});
