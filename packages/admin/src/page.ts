/**
 * The settings page and its script, served by the admin API's own mount: `GET <mount>/` answers a
 * small HTML page holding `<scimkit-admin>`, and `GET <mount>/assets/scimkit-admin.js` the script
 * that defines it (Preact and the app in one ES module, its CSS inside). Both are public static
 * files: they hold no tenant data, and every call the page makes goes through `authorize`.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { en, type AdminStrings } from "./ui/strings.js";

/** The settings page: what the host may change without writing any front-end code. */
export interface AdminUiOptions {
  /** The page's `<title>` and heading. @default "SCIM provisioning" (`strings.appTitle`) */
  readonly title?: string | undefined;
  /** The page's language (`<html lang>`), also used to format dates. @default "en" */
  readonly lang?: string | undefined;
  /**
   * Stylesheets of the host linked into the page, e.g. one setting the `--scimkit-*` custom
   * properties to the host's colours and fonts (see docs/admin.md). Same-origin paths or absolute URLs.
   */
  readonly stylesheets?: readonly string[] | undefined;
  /** Replacements for any of the English strings (translations), by key. */
  readonly strings?: Partial<AdminStrings> | undefined;
}

export type StaticAsset = "page" | "script";

export const SCRIPT_PATH = "/assets/scimkit-admin.js";

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

/** JSON inside `<script type="application/json">`: nothing in it can close the element. */
const inlineJson = (v: unknown) =>
  JSON.stringify(v).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");

const sha256 = (text: string) => createHash("sha256").update(text).digest("base64");

/** The page's only inline style; the Content-Security-Policy allows it by its hash. */
const PAGE_STYLE =
  "body{margin:0;font-family:var(--scimkit-font,system-ui,sans-serif);background:var(--scimkit-page-bg,#f4f5f7);color:var(--scimkit-text,#1b1f24)}" +
  "header{padding:1rem 1.5rem;background:var(--scimkit-surface,#fff);border-bottom:1px solid var(--scimkit-border,#d0d5dc)}" +
  "h1{margin:0;font-size:1.25rem}main{padding:1.5rem;max-width:72rem;margin:0 auto}";

/** The built script next to this module (the published package), else built from the sources. */
async function loadScript(): Promise<string> {
  try {
    return await readFile(new URL("./ui/scimkit-admin.js", import.meta.url), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const { bundleUi, uiEntry } = await import("./bundle.js");
  return bundleUi(uiEntry(import.meta.url));
}

export function createUi(options: AdminUiOptions, basePath: string | undefined) {
  const mount = (basePath ?? "").replace(/\/+$/, "");
  const strings = { ...en, ...(options.strings ?? {}) };
  const title = options.title ?? strings.appTitle;
  const lang = options.lang ?? "en";
  const sheets = options.stylesheets ?? [];
  const sheetOrigins = [...new Set(sheets.filter((s) => /^https?:\/\//i.test(s)).map((s) => new URL(s).origin))];
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'sha256-${sha256(PAGE_STYLE)}' ${sheetOrigins.join(" ")}`.trim(),
    `font-src 'self' ${sheetOrigins.join(" ")}`.trim(),
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
  ].join("; ");
  const overrides =
    options.strings === undefined ? "" : `<script type="application/json">${inlineJson(options.strings)}</script>`;
  const page = [
    "<!doctype html>",
    `<html lang="${escapeHtml(lang)}">`,
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${PAGE_STYLE}</style>`,
    ...sheets.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`),
    `<script type="module" src="${escapeHtml(mount + SCRIPT_PATH)}"></script>`,
    "</head>",
    "<body>",
    `<header><h1>${escapeHtml(title)}</h1></header>`,
    `<main><scimkit-admin api="${escapeHtml(mount)}" lang="${escapeHtml(lang)}">${overrides}</scimkit-admin></main>`,
    "</body>",
    "</html>",
  ].join("\n");

  let script: Promise<{ body: string; etag: string }> | undefined;
  const loaded = () => {
    script ??= loadScript().then((body) => ({ body, etag: `"${sha256(body).slice(0, 27)}"` }));
    // A failed build is not kept: the next request tries again.
    script.catch(() => (script = undefined));
    return script;
  };

  const common = { "x-content-type-options": "nosniff", "referrer-policy": "same-origin" };

  return {
    async serve(asset: StaticAsset, request: Request): Promise<Response> {
      if (asset === "page") {
        return new Response(page, {
          headers: {
            ...common,
            "content-type": "text/html; charset=utf-8",
            "cache-control": "no-cache",
            "content-security-policy": csp,
            "x-frame-options": "SAMEORIGIN",
          },
        });
      }
      const { body, etag } = await loaded();
      const headers = {
        ...common,
        "content-type": "text/javascript; charset=utf-8",
        "cache-control": "no-cache",
        etag,
      };
      if (request.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
      return new Response(body, { headers });
    },
  };
}
