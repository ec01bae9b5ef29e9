/**
 * The settings page and its script, served by the API's own mount: public static files, the page
 * with a strict Content-Security-Policy, the script built from the sources within the size budget.
 */
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { bundleUi, uiEntry } from "../src/bundle.js";
import { createAdminApi } from "../src/index.js";
import { en } from "../src/ui/strings.js";
import { BASE, harness, ORIGIN, SCIM_BASE } from "./harness.js";

/** The budget the page's script must stay within, gzipped (Preact, the app and its CSS). */
const BUDGET_GZ = 60 * 1024;

describe("the settings page", () => {
  it("is served at the mount path without a session, holding the element pointed at the API", async () => {
    const h = harness();
    for (const path of [BASE, `${BASE}/`]) {
      const res = await h.api.fetch(new Request(`${ORIGIN}${path}`));
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'self'");
      const html = await res.text();
      expect(html).toContain(`<scimkit-admin api="${BASE}" lang="en">`);
      expect(html).toContain(`<script type="module" src="${BASE}/assets/scimkit-admin.js"></script>`);
      expect(html).toContain(`<title>${en.appTitle}</title>`);
    }
  });

  it("takes a title, a language, the host's stylesheets and translations, escaped", async () => {
    const h = harness({
      ui: {
        title: "Provisioning <beta>",
        lang: "de",
        stylesheets: ["/theme.css", "https://cdn.example.com/brand.css"],
        strings: { navUsers: "Benutzer</script><script>alert(1)</script>" },
      },
    });
    const res = await h.api.fetch(new Request(`${ORIGIN}${BASE}/`));
    const html = await res.text();
    expect(html).toContain("<title>Provisioning &lt;beta&gt;</title>");
    expect(html).toContain('<html lang="de">');
    expect(html).toContain('<link rel="stylesheet" href="/theme.css">');
    expect(html).toContain('<link rel="stylesheet" href="https://cdn.example.com/brand.css">');
    expect(res.headers.get("content-security-policy")).toContain("https://cdn.example.com");
    // The translations travel as JSON the browser never runs, and cannot close their element.
    expect(html).toContain('<script type="application/json">{"navUsers":"Benutzer\\u003c/script\\u003e');
    expect(html).not.toContain("<script>alert(1)");
    expect(() =>
      createAdminApi(h.scim, {
        scimBaseUrl: SCIM_BASE,
        authorize: () => null,
        ui: { strings: { navUser: "typo" } as never },
      }),
    ).toThrow(/ui\.strings/);
  });

  it("serves its script with an ETag (304 when unchanged), and neither with ui: false", async () => {
    const h = harness();
    const res = await h.api.fetch(new Request(`${ORIGIN}${BASE}/assets/scimkit-admin.js`));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const etag = res.headers.get("etag") ?? "";
    expect(etag).toMatch(/^".+"$/);
    expect(await res.text()).toContain("scimkit-admin");
    const again = await h.api.fetch(
      new Request(`${ORIGIN}${BASE}/assets/scimkit-admin.js`, { headers: { "if-none-match": etag } }),
    );
    expect(again.status).toBe(304);

    const off = harness({ ui: false });
    for (const path of ["/", "/assets/scimkit-admin.js"]) {
      const r = await off.api.fetch(new Request(`${ORIGIN}${BASE}${path}`));
      expect(r.status).toBe(404);
      expect((await r.json()) as unknown).toMatchObject({ error: { code: "not_found" } });
    }
  });

  it("without a basePath serves the script but never answers an unknown path with the page", async () => {
    const h = harness({ basePath: undefined });
    expect((await h.api.fetch(new Request(`${ORIGIN}/somewhere/assets/scimkit-admin.js`))).status).toBe(200);
    const unknown = await h.api.fetch(new Request(`${ORIGIN}/somewhere/else`));
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toContain("application/json");
  });

  it(`bundles into one ES module within ${BUDGET_GZ / 1024} KB gzipped`, async () => {
    const js = await bundleUi(uiEntry(new URL("../src/", import.meta.url)));
    const gz = gzipSync(js).byteLength;
    console.info(`settings page script: ${js.length} bytes, ${gz} bytes gzipped`);
    expect(gz).toBeLessThan(BUDGET_GZ);
    // One file: no import left to fetch, the CSS inside.
    expect(js).not.toMatch(/\bimport\s*\(|^import\s/m);
    expect(js).toContain("--scimkit-accent");
  });
});
