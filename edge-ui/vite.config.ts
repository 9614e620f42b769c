import { readFile } from "node:fs/promises";
import { fileURLToPath, URL } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

/** The whole stack (Worker + assets) runs under `wrangler dev` on this address. */
const API_ORIGIN = "http://127.0.0.1:8787";

/** Where the panel serves the API reference (docs/api.md), as plain text every browser shows. */
export const API_REFERENCE_PATH = "docs/api.txt";

/** Ships the repository's API reference with the web app, so the panel can link to it. */
function apiReference(): Plugin {
  const source = fileURLToPath(new URL("../docs/api.md", import.meta.url));
  return {
    name: "flamingo-api-reference",
    apply: "build",
    async generateBundle() {
      this.addWatchFile(source);
      this.emitFile({ type: "asset", fileName: API_REFERENCE_PATH, source: await readFile(source, "utf8") });
    },
  };
}

export default defineConfig({
  plugins: [react(), tailwindcss(), apiReference()],
  resolve: {
    alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) },
  },
  build: {
    rolldownOptions: {
      output: {
        // Libraries change rarely; chunks of their own stay cached across deploys.
        codeSplitting: {
          groups: [
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: "tanstack", test: /node_modules[\\/]@tanstack[\\/]/ },
            { name: "forms", test: /node_modules[\\/](zod|react-hook-form|@hookform)[\\/]/ },
            { name: "ui", test: /node_modules[\\/](@radix-ui|@floating-ui|lucide-react|sonner|qrcode\.react)[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: { "/api": { target: API_ORIGIN } },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
