import { test, expect, unique } from './fixtures'

// Every page in both languages. A key missing from a language fails the type check; a key no
// language defines logs a console error, which fails these tests (see fixtures.ts).
const pages = ['/robots', '/runs', '/flows', '/designer', '/admin/users', '/admin/tokens', '/admin/secrets', '/admin/webhooks', '/admin/audit', '/admin/tenants']

for (const locale of ['en', 'zh-CN'] as const) {
  test(`every page renders in ${locale} without a missing translation`, async ({ page, rpad, signIn }) => {
    const flow = unique('i18n')
    await rpad.apply(`apiVersion: rpa/v1
kind: Flow
metadata: {name: ${flow}}
spec:
  steps:
    - {id: a, uses: log, with: {message: hi}}
    - {id: b, uses: sleep, needs: [a], with: {duration: 1s}}
`)
    const bot = await rpad.robot(unique('i18n-bot'))
    await rpad.heartbeat(bot)
    const run = await rpad.call('POST', `/api/v1/flows/${flow}/runs`, {})
    await signIn(rpad.adminToken, locale)
    for (const path of [...pages, `/flows/${flow}`, `/designer/${flow}`, `/robots/${bot.id}`, `/runs/${run.id}`]) {
      await page.goto(path)
      await expect(page.locator('main')).not.toBeEmpty()
      await expect(page.locator('html')).toHaveAttribute('lang', locale)
      await expect(page.getByTestId('ws')).toHaveAttribute('data-state', 'open')
    }
    await expect(page.locator('header nav')).toContainText(locale === 'en' ? 'Robots' : '机器人')
  })
}

test('the language can be switched in the header and is remembered', async ({ page, signIn }) => {
  await signIn()
  await page.goto('/robots')
  await expect(page.locator('h1')).toHaveText('Robots')
  await page.getByTestId('locale').selectOption('zh-CN')
  await expect(page.locator('h1')).toHaveText('机器人')
  await page.reload()
  await expect(page.locator('h1')).toHaveText('机器人')
})
