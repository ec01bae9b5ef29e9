/**
 * Builds the settings page's script: `ui/main.tsx` (a Preact app in a `<scimkit-admin>` custom
 * element, its CSS inlined) bundled and minified into one ES module. The package build writes it to
 * `dist/ui/scimkit-admin.js`; running from sources, the API builds it on first request instead. Both
 * call this, so what tests see is what ships.
 */
import { fileURLToPath } from "node:url";

/** The entry of the settings page's sources (there when running from sources, not in the published package). */
export const uiEntry = (from: string | URL) => fileURLToPath(new URL("./ui/main.tsx", from));

export async function bundleUi(entry: string): Promise<string> {
  // esbuild is a build tool, present where the sources are; the published package ships the result.
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: ["es2022"],
    minify: true,
    legalComments: "none",
    charset: "utf8",
    jsx: "automatic",
    jsxImportSource: "preact",
    loader: { ".css": "text" },
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error("esbuild produced no output");
  return file.text;
}
