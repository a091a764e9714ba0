import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// `npm run dev` serves the dashboard with hot reload and sends the API and the WebSocket to a
// running rpad (RPAD_URL, default http://127.0.0.1:8000, what `make run` starts).
const rpad = process.env.RPAD_URL ?? 'http://127.0.0.1:8000'

export default defineConfig({
  plugins: [vue()],
  build: {
    // rpad serves /assets/ as immutable: every file there must carry its content hash.
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      '/api': { target: rpad, ws: true, changeOrigin: false },
      '/healthz': rpad,
      '/metrics': rpad,
    },
  },
})
