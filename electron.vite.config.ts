import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'

// Three builds: the Electron main process, the preload bridge, and the Svelte renderer.
// The renderer build is also what browser mode (`npm run serve`) serves.
export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      // The import worker is its own entry: src-main/node/capture/import/import-job.ts starts out/main/import-worker.js.
      rollupOptions: { input: { index: resolve('src-main/electron/main.ts'), 'import-worker': resolve('src-main/node/capture/import/import-worker.ts') } }
    }
  },
  preload: {
    build: {
      externalizeDeps: true,
      rollupOptions: {
        input: { index: resolve('src-main/electron/preload.ts') },
        // A sandboxed preload cannot use ESM imports: emit one CommonJS file.
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve('src-renderer'),
    base: './',
    plugins: [svelte({ configFile: resolve('svelte.config.js') })],
    build: {
      outDir: resolve('out/renderer'),
      emptyOutDir: true,
      rollupOptions: { input: { index: resolve('src-renderer/index.html') } }
    }
  }
})
