import { expect, it } from "vitest";

it("takes a pino-style logger, object first", async () => {
  const { createScimServer } = await import("./index.js");
  const lines: unknown[][] = [];
  const pinoLike = {
    levels: { values: {} },
    child: () => pinoLike,
    error: (obj: Record<string, unknown>, msg?: string) => void lines.push([obj, msg]),
  };
  const server = createScimServer({ logger: pinoLike });
  server.events.subscribe(() => {
    throw new Error("handler bug");
  });
  const dir = await server.directories.create({ tenantId: "t", name: "IdP" });
  expect(dir.name).toBe("IdP");
  await new Promise((r) => setTimeout(r, 10));
  expect(lines[0]?.[1]).toBe("scimkit: an event handler failed");
  expect(lines[0]?.[0]).toMatchObject({ event: "directory.created" });
});
