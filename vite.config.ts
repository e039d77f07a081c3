import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The client lives in client/; it imports the layer registry and contracts from core/.
export default defineConfig({
  root: 'client',
  plugins: [react()],
  // @maplibre/maplibre-gl-compare requires Node's `events`: the browser gets a small emitter of ours
  resolve: { alias: { events: new URL('./client/src/imagery/events-shim.ts', import.meta.url).pathname } },
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    proxy: {
      '/api': 'http://localhost:3000',
      '/tiles': 'http://localhost:3000',
      '/docs': 'http://localhost:3000',
    },
  },
});
