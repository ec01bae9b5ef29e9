import { describe, expect, it } from "vitest";
import { locationOf } from "./render.js";

describe("locationOf", () => {
  const base = "https://idp.example/scim/v2";
  it("writes ids that need no escaping as they are, and escapes the others", () => {
    expect(locationOf(base, "/Users", "0190a3b2-7c4d-7000-8000-000000000001")).toBe(
      `${base}/Users/0190a3b2-7c4d-7000-8000-000000000001`,
    );
    expect(locationOf(base, "/Users", "a.b_c~d")).toBe(`${base}/Users/a.b_c~d`);
    expect(locationOf(base, "/Groups", "a b/c?d#ü")).toBe(`${base}/Groups/a%20b%2Fc%3Fd%23%C3%BC`);
  });
});
