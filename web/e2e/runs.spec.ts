import { spawn, type ChildProcess } from 'node:child_process'
import { test, expect, unique } from './fixtures'
import type { Rpad } from './rpad'

/** A real `rpactl agent` for a robot registered with `labels`: it takes the runs rpad offers. */
async function agent(rpad: Rpad, labels: Record<string, string>) {
  const bot = await rpad.robot(unique('agent'), labels)
  const proc: ChildProcess = spawn(
    process.env.RPACTL!,
    ['agent', '--client-id', String(bot.id), '--token-file', rpad.file(`${bot.name}.token`, bot.token), '--workdir', rpad.dir],
    { env: { ...process.env, RPACTL_SERVER: rpad.url }, stdio: 'ignore' },
  )
  return { bot, stop: () => proc.kill('SIGKILL') }
}

test('a run started from the UI runs on a real agent, its steps and log live, and succeeds', async ({ page, rpad, signIn }) => {
  const pool = unique('pool')
  const flow = unique('hello')
  await rpad.apply(`apiVersion: rpa/v1
kind: Flow
metadata: {name: ${flow}}
spec:
  target: {labels: {pool: ${pool}}}
  params:
    who: {type: string, default: world}
  steps:
    - id: greet
      uses: log
      with: {message: "hello \${{ params.who }}"}
    - id: pause
      uses: sleep
      needs: [greet]
      with: {duration: 1s}
    - id: done
      uses: shell
      needs: [pause]
      with: {command: "echo finished-ok"}
`)
  const robot = await agent(rpad, { pool })
  try {
    await signIn()
    await page.goto(`/flows/${flow}`)
    await page.getByTestId('run-tab').click()
    await page.locator('input[name=who]').fill('dashboard')
    await page.getByTestId('start-run').click()
    await expect(page).toHaveURL(/\/runs\/\d+$/)
    await expect(page.locator('[data-test=step-node]')).toHaveCount(3)
    // Seen live while it runs: the sleep step running, then the end.
    await expect(page.locator('tr[data-step=pause]')).toHaveAttribute('data-state', 'running', { timeout: 10_000 })
    await expect(page.getByTestId('log')).toContainText('hello dashboard')
    await expect(page.getByTestId('run-state')).toHaveText('succeeded', { timeout: 10_000 })
    await expect(page.getByTestId('log')).toContainText('finished-ok')
    await expect(page.locator('tr[data-step=done]')).toHaveAttribute('data-state', 'succeeded')
    // Attempts and exit codes come with the run, read again after its events.
    await expect(page.locator('tr[data-step=done] td').nth(2)).toHaveText('1')
    await expect(page.locator('tr[data-step=done] td').nth(3)).toHaveText('0')
  } finally {
    robot.stop()
  }
})

test('an operator cancels a run from the UI; a viewer has no cancel', async ({ page, browser, rpad, signIn }) => {
  const pool = unique('pool')
  const flow = unique('long')
  await rpad.apply(`apiVersion: rpa/v1
kind: Flow
metadata: {name: ${flow}}
spec:
  target: {labels: {pool: ${pool}}}
  steps:
    - {id: wait, uses: sleep, with: {duration: 60s}}
`)
  const robot = await agent(rpad, { pool })
  try {
    const run = await rpad.call('POST', `/api/v1/flows/${flow}/runs`, {})
    // The viewer in a browser context of its own.
    const viewer = await rpad.user(unique('viewer'), 'viewer')
    const theirs = await browser.newContext({ baseURL: rpad.url, locale: 'en-US' })
    await theirs.addInitScript((t) => sessionStorage.setItem('rpa.token', t), viewer.token)
    const viewerPage = await theirs.newPage()
    await viewerPage.goto(`/runs/${run.id}`)
    await expect(viewerPage.getByTestId('run-state')).toHaveText('running', { timeout: 10_000 })
    await expect(viewerPage.getByTestId('cancel-run')).toHaveCount(0)
    await theirs.close()
    await signIn()
    await page.goto(`/runs/${run.id}`)
    await page.getByTestId('cancel-run').click()
    await expect(page.getByTestId('run-state')).toHaveText('cancelled', { timeout: 15_000 })
  } finally {
    robot.stop()
  }
})

test('the runs table shows a new run live', async ({ page, rpad, signIn }) => {
  const flow = unique('queued')
  await rpad.apply(`apiVersion: rpa/v1
kind: Flow
metadata: {name: ${flow}}
spec:
  target: {labels: {pool: nobody-${flow}}}
  steps:
    - {id: only, uses: log, with: {message: hi}}
`)
  await signIn()
  await page.goto('/runs')
  await expect(page.getByTestId('runs')).toBeVisible()
  const run = await rpad.call('POST', `/api/v1/flows/${flow}/runs`, {})
  const row = page.locator(`tr[data-row="${run.id}"]`)
  await expect(row).toHaveAttribute('data-state', 'queued')
  await rpad.call('POST', `/api/v1/runs/${run.id}/cancel`, {})
  await expect(row).toHaveAttribute('data-state', 'cancelled')
})
