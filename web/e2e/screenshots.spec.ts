// The README's screenshots, taken from the real dashboard in Chromium with CJK fonts. Every test
// run takes them (so the pages they show are exercised); `make screenshots` (UPDATE_SCREENSHOTS=1)
// writes them to docs/screenshots/ to be committed.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { test, expect } from './fixtures'

const out = (name: string) =>
  process.env.UPDATE_SCREENSHOTS
    ? fileURLToPath(new URL(`../../docs/screenshots/${name}`, import.meta.url))
    : test.info().outputPath(name)

test('screenshots of the robots, a run, a flow and the designer, in English and Chinese', async ({ page, rpad, signIn }) => {
  // Fixed names: these are what the README shows.
  const pool = 'finance'
  const bots = []
  for (const [i, os] of ['windows', 'windows', 'linux', 'windows', 'linux', 'windows'].entries())
    bots.push(await rpad.robot(`erp-${String(i + 1).padStart(2, '0')}`, { os, site: i < 3 ? 'shanghai' : 'frankfurt' }))
  for (const [i, bot] of bots.entries()) if (i !== 4) await rpad.heartbeat(bot, i === 1 ? 'busy' : i === 3 ? 'idle' : 'online', `1.${i}.0`)
  const flow = 'nightly-invoices'
  await rpad.apply(`apiVersion: rpa/v1
kind: Flow
metadata: {name: ${flow}}
spec:
  description: Download and file supplier invoices
  schedule: "0 2 * * *"
  target: {labels: {pool: ${pool}}}
  params:
    month: {type: string, default: "2026-11"}
  steps:
    - {id: login, uses: log, with: {message: "login to ERP"}}
    - {id: download, uses: shell, needs: [login], with: {command: "echo downloading \${{ params.month }}"}}
    - {id: archive, uses: shell, needs: [login], with: {command: "echo archiving"}}
    - {id: notify, uses: log, needs: [download, archive], with: {message: "done"}}
`)
  const worker = await rpad.robot('runner-01', { pool })
  const agent = spawn(process.env.RPACTL!, ['agent', '--client-id', String(worker.id), '--token-file', rpad.file('shots.token', worker.token), '--workdir', rpad.dir], {
    env: { ...process.env, RPACTL_SERVER: rpad.url },
    stdio: 'ignore',
  })
  try {
    const run = await rpad.call('POST', `/api/v1/flows/${flow}/runs`, {})
    await signIn()
    await page.goto(`/runs/${run.id}`)
    await expect(page.getByTestId('run-state')).toHaveText('succeeded', { timeout: 15_000 })
    await expect(page.locator('tr[data-step=notify] td').nth(2)).toHaveText('1')
    await page.screenshot({ path: out('run.png') })

    await page.goto('/robots?q=erp-')
    await expect(page.locator('[data-row]')).toHaveCount(6)
    await page.screenshot({ path: out('robots.png') })
    await page.getByTestId('locale').selectOption('zh-CN')
    await expect(page.locator('h1')).toHaveText('机器人')
    await page.screenshot({ path: out('robots-zh-CN.png') })
    await page.getByTestId('locale').selectOption('en')

    await page.goto(`/flows/${flow}`)
    await expect(page.locator('[data-test=step-node]')).toHaveCount(4)
    await page.screenshot({ path: out('flow.png') })
    await page.goto(`/designer/${flow}`)
    await expect(page.locator('[data-test=step-node]')).toHaveCount(4)
    await expect(page.getByTestId('designer-yaml')).toContainText('kind: Flow')
    await page.screenshot({ path: out('designer.png') })
  } finally {
    agent.kill('SIGKILL')
  }
})
