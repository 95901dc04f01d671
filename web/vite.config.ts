import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';

/** The Hono server (server/src) listens here in development; SPEC §7 `PORT`. */
const API_TARGET = 'http://127.0.0.1:8787';

/**
 * `/metrics` is both the dashboard's Metrics page and the server's Prometheus endpoint: a browser
 * navigation (Accept: text/html) gets the app, anything else (Prometheus, curl) the server.
 */
const proxy: Record<string, ProxyOptions> = {
  '/api': { target: API_TARGET },
  '/auth': { target: API_TARGET },
  '/healthz': { target: API_TARGET },
  '/metrics': {
    target: API_TARGET,
    bypass: (req) => (req.headers.accept?.includes('text/html') ? '/index.html' : undefined),
  },
};

export default defineConfig({
  plugins: [react()],
  server: { port: 5173, proxy },
  preview: { proxy },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // maps for our own debugging, without the comment that would send browsers looking for them
    sourcemap: 'hidden',
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            // Claimed first: a group pulls in its dependencies recursively, and React inside the
            // charts chunk would make every page download the charts.
            {
              name: 'react',
              test: /node_modules[\\/](react|react-dom|scheduler|react-router|cookie|set-cookie-parser)[\\/]/,
              priority: 4,
            },
            // Charting libraries are imported only by lazily loaded pages, so this chunk is fetched
            // when such a page opens, never on the first load.
            {
              name: 'charts',
              test: /node_modules[\\/](recharts|d3-[^\\/]+|victory-vendor|internmap|decimal\.js-light|es-toolkit|@reduxjs[\\/]toolkit|redux|react-redux|redux-thunk|immer|reselect|use-sync-external-store|eventemitter3|tiny-invariant|clsx|react-is)[\\/]/,
              priority: 3,
            },
            {
              name: 'query',
              test: /node_modules[\\/]@tanstack[\\/](react-query|query-core)[\\/]/,
              priority: 2,
            },
            // Only the long lists (jobs, audit log) use it: its own chunk, fetched with those pages.
            {
              name: 'virtual',
              test: /node_modules[\\/]@tanstack[\\/](react-virtual|virtual-core)[\\/]/,
              priority: 2,
            },
            { name: 'vendor', test: /node_modules/, priority: 1 },
          ],
        },
      },
    },
  },
});
