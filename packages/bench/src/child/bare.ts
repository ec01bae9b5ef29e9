/**
 * The framework's ceiling: Express 5 answering a small fixed JSON body, with nothing else to do.
 * Every scenario's throughput is stated as a ratio to this.
 */
import express from "express5";
import type { BenchServer } from "./server.js";

/** The path the ceiling is measured on. */
export const BARE_PATH = "/ping";

const BODY = { schemas: ["urn:ietf:params:scim:api:messages:2.0:Ping"], status: "ok", at: "2024-01-01T00:00:00.000Z" };

export async function startBare(): Promise<BenchServer> {
  const app = express();
  app.disable("x-powered-by");
  app.get(BARE_PATH, (_req, res) => {
    res.json(BODY);
  });
  return {
    listener: app,
    seed: {
      usersWanted: 0,
      usersSeeded: 0,
      userSeconds: 0,
      membersWanted: 0,
      membersSeeded: 0,
      memberSeconds: 0,
      method: "none",
    },
    fixtures: { token: "", userIds: [], outsiderIds: [], groupId: "" },
    close: async () => {},
  };
}
