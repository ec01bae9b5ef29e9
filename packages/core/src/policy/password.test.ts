import { describe, expect, it } from "vitest";
import { hashPassword, verifyPasswordHash } from "./password.js";

describe("password hashing", () => {
  it("verifies the password it hashed and refuses any other", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(await verifyPasswordHash(hash, "correct horse battery")).toBe(true);
    expect(await verifyPasswordHash(hash, "correct horse batterY")).toBe(false);
  });

  it("salts every hash and never contains the password", async () => {
    const a = await hashPassword("s3cret-value-1");
    const b = await hashPassword("s3cret-value-1");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toContain("s3cret");
  });

  it("treats a value it did not write as no match", async () => {
    expect(await verifyPasswordHash("plain-text", "plain-text")).toBe(false);
  });
});
