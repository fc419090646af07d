import { defineConfig } from "vite";

// Relative URLs everywhere ("./assets/..."): the page works at "/" under `chalice local` and at
// "/<stage>/" behind API Gateway alike. No inline script or style (the CSP forbids them).
export default defineConfig({
  base: "./",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    target: "es2020",
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    manifest: true,
    reportCompressedSize: true,
  },
});
