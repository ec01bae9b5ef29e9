/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp`
 * (seconds) and `webhook-signature`, a space-separated list of `v1,<base64 HMAC-SHA256>` over
 * `<id>.<timestamp>.<body>`, one per active secret, made by the `standardwebhooks` package.
 */
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";

/** The prefix of a Standard Webhooks secret: `whsec_` and the base64 of its key. */
export const SECRET_PREFIX = "whsec_";

/** A base64 key of 24 to 64 bytes after the prefix. */
export const SECRET_PATTERN = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;

/** A new random signing secret (`whsec_` and 32 random bytes in base64), for an endpoint or a rotation. */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString("base64")}`;
}

/** The three Standard Webhooks headers of one delivery. */
export interface WebhookHeaders {
  readonly "webhook-id": string;
  readonly "webhook-timestamp": string;
  readonly "webhook-signature": string;
}

/** Signs `body` as message `id` at `timestamp` with every secret given (several during a rotation). */
export function signWebhook(secrets: readonly string[], id: string, timestamp: Date, body: string): WebhookHeaders {
  if (secrets.length === 0) throw new Error("no active secret to sign with");
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
    "webhook-signature": secrets.map((secret) => new Webhook(secret).sign(id, timestamp, body)).join(" "),
  };
}
