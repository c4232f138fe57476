import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const pdfjsDir = resolve(import.meta.dirname, 'node_modules/pdfjs-dist');

/**
 * pdf.js asks for some files by fixed name under a base URL (not through imports), so they are
 * copied next to the renderer and served from 'self', never fetched from the network: the standard
 * fonts (for PDFs that name a base-14 font without embedding it) and the JavaScript decoders it uses
 * for JPEG 2000 and JBIG2 images when WebAssembly is off (`useWasm: false`, see the viewer's
 * pdfjs.ts). The .wasm files, the CMaps and the scripting sandbox are deliberately not shipped.
 * The worker itself is an ordinary `?url` import in the viewer, so Vite fingerprints it.
 */
function pdfjsAssets(): Plugin {
  const files = [
    ...readdirSync(join(pdfjsDir, 'standard_fonts')).map((name) => `standard_fonts/${name}`),
    'wasm/jbig2_nowasm_fallback.js',
    'wasm/openjpeg_nowasm_fallback.js',
  ];
  return {
    name: 'carddesk-pdfjs-assets',
    apply: 'build',
    generateBundle() {
      for (const file of files) {
        this.emitFile({ type: 'asset', fileName: `pdfjs/${file}`, source: readFileSync(join(pdfjsDir, file)) });
      }
    },
  };
}

// The renderer: React + MUI, served from dist/renderer by the Electron protocol and the browser host.
export default defineConfig({
  root: resolve(import.meta.dirname, 'renderer'),
  base: './',
  plugins: [react(), pdfjsAssets()],
  resolve: { alias: { '@shared': resolve(import.meta.dirname, 'electron/shared') } },
  build: {
    outDir: resolve(import.meta.dirname, 'dist/renderer'),
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
  },
});
