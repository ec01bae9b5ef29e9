import { describe, it } from "vitest";
import oin from "./fixtures/okta-oin.json";
import aiw from "./fixtures/okta-aiw-put.json";
import { replay, type Fixture } from "./replay.js";

describe("Okta", () => {
  it("catalogue app: PATCH for activation, passwords and group membership", () => replay(oin as Fixture));
  it("custom app: PUT for every user and group update", () => replay(aiw as Fixture));
});
