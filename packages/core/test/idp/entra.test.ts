import { describe, it } from "vitest";
import flag from "./fixtures/entra-flag.json";
import standard from "./fixtures/entra-default.json";
import { replay, type Fixture } from "./replay.js";

describe("Microsoft Entra ID", () => {
  it("default mode: capitalised ops, string booleans, manager strings, encoded roles, listed member removal", () =>
    replay(standard as Fixture));
  it("aadOptscim062020 mode: lower-case ops, path keys in path-less values, member value filters", () =>
    replay(flag as Fixture));
});
