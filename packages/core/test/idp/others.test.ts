import { describe, it } from "vitest";
import jumpcloud from "./fixtures/jumpcloud.json";
import onelogin from "./fixtures/onelogin.json";
import ping from "./fixtures/ping.json";
import { replay, type Fixture } from "./replay.js";

describe("OneLogin, JumpCloud and PingFederate", () => {
  it("OneLogin: lookup, create, PUT updates and suspension, group PATCH, user delete", () =>
    replay(onelogin as Fixture));
  it("JumpCloud: test connection create-and-delete, member add and listed removal, group delete", () =>
    replay(jumpcloud as Fixture));
  it("PingFederate: pages through every group, PUT-only user updates and disable", () => replay(ping as Fixture));
});
