import { defineConfig } from '@playwright/test'

// The dashboard's figures (bench/run, phase 8): one worker, against an rpad bench/run started.
export default defineConfig({
  testDir: 'bench',
  testMatch: '*.bench.ts',
  timeout: 120_000,
  workers: 1,
  reporter: [['line']],
  outputDir: process.env.PW_OUTPUT_DIR ?? 'test-results',
  use: {
    browserName: 'chromium',
    testIdAttribute: 'data-test',
    launchOptions: { executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' },
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
  },
})
