/**
 * Runs the receiver: `WEBHOOK_SECRETS` (one or more `whsec_…`, comma-separated) and `PORT`.
 * Point an endpoint of `createWebhookDelivery` at it (http is accepted for 127.0.0.1 only).
 */
import { createReceiver } from "./receiver.js";

const secrets = (process.env["WEBHOOK_SECRETS"] ?? "").split(",").filter((s) => s.length > 0);
if (secrets.length === 0) throw new Error("set WEBHOOK_SECRETS to the endpoint's secret(s), comma-separated");
const port = Number(process.env["PORT"] ?? 4000);
createReceiver({
  secrets,
  onDelivery: (d) => console.log(`${d.type} ${d.data.tenantId} #${d.data.seq} (${d.data.id})`),
}).listen(port, "127.0.0.1", () => console.log(`webhook receiver on http://127.0.0.1:${port}/`));
