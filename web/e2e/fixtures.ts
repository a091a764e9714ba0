// The browser tests' fixtures: one real rpad per worker; every page fails its test on a console
// error or an uncaught exception (a missing translation logs one); `signIn` puts a session in
// the tab the way the login page does, so tests that are not about logging in skip the form.
import { test as base, expect } from '@playwright/test'
import { Rpad } from './rpad'

type WorkerFixtures = { rpad: Rpad }
type TestFixtures = {
  signIn: (token?: string, locale?: 'en' | 'zh-CN') => Promise<void>
  consoleErrors: string[]
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  rpad: [
    async ({}, use) => {
      const rpad = new Rpad()
      await rpad.start()
      await use(rpad)
      await rpad.dispose()
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ rpad }, use) => use(rpad.url),
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = []
      // The API's expected refusals (a bad password, a validation problem, a 409) are shown by
      // the page; Chromium still logs each as "Failed to load resource". Anything else counts.
      page.on('console', (m) => {
        if (m.type() !== 'error') return
        if (/Failed to load resource: the server responded with a status of (401|403|409|422)/.test(m.text())) return
        errors.push(m.text())
      })
      page.on('pageerror', (e) => errors.push(String(e)))
      await use(errors)
      expect(errors, 'console errors').toEqual([])
    },
    { auto: true },
  ],
  signIn: async ({ page, rpad }, use) => {
    await use(async (token = rpad.adminToken, locale = 'en') => {
      await page.addInitScript(
        ([t, l]) => {
          sessionStorage.setItem('rpa.token', t)
          // Once: a test that switches the language sees its choice survive a reload.
          if (!localStorage.getItem('rpa.locale')) localStorage.setItem('rpa.locale', l)
        },
        [token, locale] as const,
      )
    })
  },
})

export { expect }

/** A name no other test in this worker uses. */
let counter = 0
export function unique(prefix: string) {
  counter += 1
  return `${prefix}-${process.pid}-${counter}`
}
