/**
 * A webhook receiver: verifies each delivery's Standard Webhooks signature with the
 * `standardwebhooks` package before it trusts a byte of it, and refuses the rest.
 *
 * - The signature covers the raw body: read it as bytes and verify before parsing. A body changed
 *   on the way (or re-serialized by a framework) no longer matches: 401.
 * - `webhook-timestamp` must be within five minutes of now (the verifier's tolerance), so a
 *   captured delivery cannot be replayed later: 401.
 * - During a secret rotation, any one of the secrets given is enough (the sender signs with each).
 * - Deliveries are at least once: the same `webhook-id` may come again. Handle it once, answer 2xx.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { Webhook, WebhookVerificationError } from "standardwebhooks";

/** What a verified delivery carries: the envelope scimkit sends, `data` being the event. */
export interface Delivery {
  readonly type: string;
  readonly timestamp: string;
  readonly data: {
    readonly id: string;
    readonly tenantId: string;
    readonly seq: number;
    readonly [key: string]: unknown;
  };
}

export interface ReceiverOptions {
  /** The endpoint's secrets (`whsec_…`): the current one, and the next during a rotation. */
  readonly secrets: readonly string[];
  /** Called once per delivery id, after the signature checked out. */
  readonly onDelivery: (delivery: Delivery) => void | Promise<void>;
  /** The largest body accepted. @default 1 MiB */
  readonly maxBodyBytes?: number | undefined;
}

const readBody = (req: IncomingMessage, limit: number) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error("too large"));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });

/** Checks `body` against the headers with each secret; the payload, or why not. */
export function verify(
  secrets: readonly string[],
  body: Buffer,
  headers: Record<string, string>,
): { ok: true; delivery: Delivery } | { ok: false; reason: string } {
  let reason = "no secret";
  for (const secret of secrets) {
    try {
      return { ok: true, delivery: new Webhook(secret).verify(body, headers) as Delivery };
    } catch (error) {
      reason = error instanceof WebhookVerificationError ? error.message : "invalid";
    }
  }
  return { ok: false, reason };
}

/** An HTTP server answering POSTs: 204 for a verified delivery, 401 for a bad signature or timestamp. */
export function createReceiver(options: ReceiverOptions): Server {
  const seen = new Set<string>();
  return createServer((req, res) => {
    void (async () => {
      if (req.method !== "POST") {
        res.writeHead(405).end();
        return;
      }
      let body: Buffer;
      try {
        body = await readBody(req, options.maxBodyBytes ?? 1 << 20);
      } catch {
        res.writeHead(413).end();
        return;
      }
      const header = (name: string) => {
        const v = req.headers[name];
        return typeof v === "string" ? v : "";
      };
      const headers = {
        "webhook-id": header("webhook-id"),
        "webhook-timestamp": header("webhook-timestamp"),
        "webhook-signature": header("webhook-signature"),
      };
      const result = verify(options.secrets, body, headers);
      if (!result.ok) {
        res.writeHead(401, { "content-type": "text/plain" }).end(result.reason);
        return;
      }
      // At least once: a delivery seen before is acknowledged again, not handled again.
      if (!seen.has(headers["webhook-id"])) {
        try {
          await options.onDelivery(result.delivery);
        } catch {
          res.writeHead(500).end();
          return;
        }
        seen.add(headers["webhook-id"]);
      }
      res.writeHead(204).end();
    })();
  });
}
