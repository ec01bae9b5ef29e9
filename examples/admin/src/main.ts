/**
 * The admin example: `pnpm start` here. Open the printed URL, sign in as one of the two admins, and
 * connect an IdP from the provisioning page. Environment: `PORT` (default 3000).
 */
import type { AddressInfo } from "node:net";
import { createExample } from "./app.js";

const { app, scim } = createExample();

const listener = app.listen(Number(process.env["PORT"] ?? 3000), "127.0.0.1", (error?: Error) => {
  if (error) {
    console.error(`Could not listen: ${error.message}`);
    process.exit(1);
  }
  const origin = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  console.log(`Sign in: ${origin}/ (Alice admins Acme Inc., Bob admins Globex Corp.)`);
  console.log(`Admin page: ${origin}/admin/`);
  console.log(`SCIM base URL: ${origin}/scim/v2 (each connection's own URL and token are shown on the admin page)`);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    listener.close();
    listener.closeAllConnections();
    void scim.close().then(() => process.exit(0));
  });
}
