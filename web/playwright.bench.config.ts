import { defineConfig } from '@playwright/test'
import base from './playwright.config'

// The dashboard's figures (bench/run, phase 8): the browser tests' settings, one worker, against
// an rpad bench/run started.
export default defineConfig({
  ...base,
  testDir: 'bench',
  testMatch: '*.bench.ts',
  timeout: 120_000,
  workers: 1,
  fullyParallel: false,
  reporter: [['line']],
})
