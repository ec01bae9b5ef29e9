/**
 * Signed webhooks for scimkit: the event feed (`scim.events.consume`) delivered to HTTPS endpoints
 * per the Standard Webhooks specification, with retries and exponential backoff, secret rotation,
 * a delivery log, and endpoints disabled after sustained failure. Receivers verify with any
 * Standard Webhooks library, e.g. `new Webhook(secret).verify(body, headers)` from `standardwebhooks`.
 *
 * @example
 * ```ts
 * import { createScimServer } from "@scimkit/core";
 * import { createWebhookDelivery } from "@scimkit/webhooks";
 *
 * const scim = createScimServer({ store });
 * const delivery = createWebhookDelivery(scim, {
 *   endpoints: [{ id: "crm", url: "https://crm.example.com/hooks/scim", secrets: [process.env.CRM_WEBHOOK_SECRET!] }],
 * });
 * // later: await delivery.stop();
 * ```
 *
 * @module @scimkit/webhooks
 */
export {
  createWebhookDelivery,
  WebhookDeliveryError,
  type DeliveryAttempt,
  type DisabledReason,
  type EndpointStatus,
  type FeedSource,
  type WebhookDelivery,
  type WebhookDeliveryOptions,
  type WebhookEndpoint,
} from "./delivery.js";
export { generateWebhookSecret, signWebhook, SECRET_PREFIX, type WebhookHeaders } from "./signing.js";
