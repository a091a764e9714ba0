import { defineConfig } from '@playwright/test'

// The dashboard's browser tests: Debian's Chromium (no browser download) against the real rpad,
// one per worker on port 0 with its own database (e2e/fixtures.ts). RPAD and RPACTL name the
// binaries; scripts/dashboard-e2e sets them from the build.
export default defineConfig({
  testDir: 'e2e',
  timeout: 30_000,
  expect: { timeout: 5_000 },
  workers: 2,
  fullyParallel: true,
  retries: 0,
  reporter: [['list']],
  outputDir: process.env.PW_OUTPUT_DIR ?? 'test-results',
  use: {
    browserName: 'chromium',
    testIdAttribute: 'data-test',
    launchOptions: { executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' },
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    trace: 'off',
    screenshot: 'only-on-failure',
  },
})
