import { test, expect, unique } from './fixtures'

const flowYaml = (name: string, message: string, extra = '') => `apiVersion: rpa/v1
kind: Flow
metadata: {name: ${name}}
spec:
  schedule: "0 2 * * *"
  steps:
    - {id: first, uses: log, with: {message: "${message}"}}
    - {id: second, uses: shell, needs: [first], with: {command: "true"}}
    - {id: third, uses: shell, needs: [first], with: {command: "true"}}${extra}
`

test('history, diff and rollback after two applies; the graph has a node per step', async ({ page, rpad, signIn }) => {
  const name = unique('hist')
  await rpad.apply(flowYaml(name, 'one'))
  await rpad.apply(flowYaml(name, 'two', '\n    - {id: fourth, uses: sleep, needs: [second, third], with: {duration: 1s}}'))
  await signIn()
  await page.goto('/flows')
  await expect(page.locator(`tr[data-row="${name}"] [data-test=revision]`)).toHaveText('2')
  await page.click(`a[href="/flows/${name}"]`)
  await expect(page.locator('[data-test=step-node]')).toHaveCount(4)
  await expect(page.locator('.vue-flow__edge')).toHaveCount(4)

  await page.getByTestId('tab-yaml').click()
  const yaml = rpad.rpactl(['get', 'flow', name, '-o', 'yaml'])
  expect(yaml.code).toBe(0)
  await expect(page.getByTestId('copy-text')).toHaveText(yaml.stdout)

  await page.getByTestId('tab-history').click()
  await expect(page.locator('[data-test=history] tbody tr')).toHaveCount(2)
  await expect(page.getByTestId('diff')).toContainText('- ')
  await expect(page.locator('[data-test=diff] .del')).toContainText(['message: one'])
  await expect(page.locator('[data-test=diff] .add')).toContainText(['message: two', 'id: fourth'])

  await page.getByTestId('rollback').click()
  await expect(page.getByTestId('flow-revision')).toHaveText('revision 3')
  await expect(page.locator('[data-test=history] tbody tr')).toHaveCount(3)
  const live = await rpad.call('GET', `/api/v1/flows/${name}`)
  expect(live.spec.steps).toHaveLength(3)
})

test('a viewer sees no write action on flows and runs', async ({ page, rpad, signIn }) => {
  const name = unique('ro')
  await rpad.apply(flowYaml(name, 'one'))
  await rpad.apply(flowYaml(name, 'two'))
  const viewer = await rpad.user(unique('viewer'), 'viewer')
  await signIn(viewer.token)
  await page.goto('/flows')
  await expect(page.locator(`tr[data-row="${name}"]`)).toBeVisible()
  await expect(page.getByTestId('new-flow')).toHaveCount(0)
  await page.goto(`/flows/${name}`)
  await expect(page.locator('[data-test=step-node]')).toHaveCount(3)
  await expect(page.getByTestId('run-tab')).toHaveCount(0)
  await expect(page.getByTestId('tab-run')).toHaveCount(0)
  await page.getByTestId('tab-history').click()
  await expect(page.locator('[data-test=history] tbody tr')).toHaveCount(2)
  await expect(page.getByTestId('rollback')).toHaveCount(0)
})

test("another tenant's robots, flows and runs never appear", async ({ page, rpad, signIn }) => {
  const other = unique('tenant')
  await rpad.tenant(other)
  const theirs = await rpad.robot(unique('their-bot'), {}, other)
  await rpad.heartbeat(theirs, 'online')
  const mine = await rpad.robot(unique('my-bot'))
  await rpad.call('POST', `/api/v1/apply`, { files: [{ name: 'x.yaml', content: flowYaml(unique('their-flow'), 'x').replace('metadata: {name: ', `metadata: {tenant: ${other}, name: `) }] })
  const operator = await rpad.user(unique('op'), 'operator')
  await signIn(operator.token)
  await page.goto('/robots')
  await expect(page.locator(`[data-row="${mine.name}"]`)).toBeVisible()
  await expect(page.locator(`[data-row="${theirs.name}"]`)).toHaveCount(0)
  // Live too: the other tenant's heartbeats do not add its robot.
  await rpad.heartbeat(theirs, 'busy')
  await rpad.heartbeat(mine, 'online')
  await expect(page.locator(`[data-row="${mine.name}"]`)).toHaveAttribute('data-status', 'online')
  await expect(page.locator(`[data-row="${theirs.name}"]`)).toHaveCount(0)
  await page.goto('/flows')
  await expect(page.getByTestId('flows')).toBeVisible()
  await expect(page.locator('[data-test=flows] tbody')).not.toContainText('their-flow')
})

test('a system admin acting in a tenant sees and hears that tenant only', async ({ page, rpad, signIn }) => {
  const other = unique('acting')
  await rpad.tenant(other)
  const theirs = await rpad.robot(unique('acting-bot'), {}, other)
  const mine = await rpad.robot(unique('home-bot'))
  await signIn()
  await page.goto('/robots')
  await expect(page.locator(`[data-row="${mine.name}"]`)).toBeVisible()
  await page.goto('/admin/tenants')
  await page.locator(`tr[data-row="${other}"] [data-test=act-in]`).click()
  await expect(page.getByTestId('who')).toContainText(other)
  await page.goto('/robots')
  await expect(page.locator(`[data-row="${theirs.name}"]`)).toHaveAttribute('data-status', 'offline')
  await expect(page.locator(`[data-row="${mine.name}"]`)).toHaveCount(0)
  // Events of the home tenant do not reach this tab; the tenant's own do.
  await rpad.heartbeat(mine, 'online')
  await rpad.heartbeat(theirs, 'busy')
  await expect(page.locator(`[data-row="${theirs.name}"]`)).toHaveAttribute('data-status', 'busy')
  await expect(page.locator(`[data-row="${mine.name}"]`)).toHaveCount(0)
})
