// The designer against a real rpad: a flow built through the UI is validated by the server as it
// is edited, its canonical YAML is what rpactl prints, Apply is 409-safe and keeps what it does
// not edit (unchanged round trip), problems show at their steps, and viewers see no Apply.
import type { Page } from '@playwright/test'
import { test, expect, unique } from './fixtures'

const byTest = (page: Page, name: string) => page.locator(`[data-test="${name}"]`)
const node = (page: Page, id: string) => page.locator(`[data-test="step-node"][data-step="${id}"]`)

/** Adds a step through the side panel and fills its id and its one required input. */
async function addStep(page: Page, uses: string, id: string, input: Record<string, string>) {
  await byTest(page, 'tab-step').click()
  await byTest(page, 'new-step-uses').selectOption(uses)
  const before = await page.locator('[data-test="step-node"]').count()
  await byTest(page, 'add-step').click()
  await expect(page.locator('[data-test="step-node"]')).toHaveCount(before + 1)
  await byTest(page, 'step-id').fill(id)
  for (const [key, value] of Object.entries(input)) await byTest(page, `with-${key}`).fill(value)
  await expect(node(page, id)).toBeVisible()
}

async function needs(page: Page, id: string, ...from: string[]) {
  await node(page, id).click()
  await expect(byTest(page, 'step-id')).toHaveValue(id)
  for (const f of from) await byTest(page, `need-${f}`).check()
}

const action = (page: Page, a: string) => page.locator(`[data-test="designer-action"][data-action="${a}"]`)

function twoStepFlow(name: string) {
  return `apiVersion: rpa/v1
kind: Flow
metadata:
  name: ${name}
spec:
  steps:
    - id: a
      uses: log
      with: {message: first}
    - id: b
      uses: shell
      needs: [a]
      with: {command: echo second}
`
}

test('builds a branching flow, validates, applies revision 1, then an edit makes revision 2', async ({ page, rpad, signIn }) => {
  await signIn()
  const name = unique('designed')
  await page.goto('/designer')
  await byTest(page, 'tab-flow').click()
  await byTest(page, 'flow-name').fill(name)
  await byTest(page, 'flow-description').fill('built in the designer')

  await addStep(page, 'log', 'a', { message: 'start' })
  await addStep(page, 'shell', 'b', { command: 'echo left' })
  await addStep(page, 'sleep', 'c', { duration: '1s' })
  await addStep(page, 'log', 'd', { message: 'joined' })
  await needs(page, 'b', 'a')
  await needs(page, 'c', 'a')
  await needs(page, 'd', 'b', 'c')

  await expect(page.locator('[data-test="step-node"]')).toHaveCount(4)
  await expect(page.locator('.vue-flow__edge')).toHaveCount(4)
  await expect(action(page, 'created')).toBeVisible()
  const yaml = byTest(page, 'designer-yaml')
  await expect(yaml).toContainText(`name: ${name}`)
  await expect(yaml).toContainText('- c')

  // The shown YAML is a valid flow for rpactl too.
  const shown = (await yaml.textContent())!
  const path = rpad.file(`${name}.yaml`, shown)
  const validate = rpad.rpactl(['flow', 'validate', path])
  expect(validate.stderr).toBe('')
  expect(validate.code).toBe(0)

  await byTest(page, 'apply').click()
  await expect(byTest(page, 'designer-applied')).toHaveAttribute('data-revision', '1')
  await expect(byTest(page, 'designer-applied')).toHaveAttribute('data-action', 'created')
  await expect(action(page, 'unchanged')).toBeVisible()
  await byTest(page, 'tab-flow').click()
  await expect(byTest(page, 'flow-name')).toBeDisabled()
  const got = rpad.rpactl(['get', 'flow', name, '-o', 'yaml'])
  expect(got.code).toBe(0)
  expect(await yaml.textContent()).toBe(got.stdout)

  // An edit and a second Apply: revision 2, from the revision the page now holds.
  await node(page, 'b').click()
  await byTest(page, 'with-command').fill('echo changed')
  await expect(action(page, 'configured')).toBeVisible()
  await byTest(page, 'apply').click()
  await expect(byTest(page, 'designer-applied')).toHaveAttribute('data-revision', '2')
  await expect(byTest(page, 'designer-applied')).toHaveAttribute('data-action', 'configured')
  await expect(action(page, 'unchanged')).toBeVisible()
  const again = rpad.rpactl(['get', 'flow', name, '-o', 'yaml'])
  expect(again.stdout).toContain('revision: 2')
  expect(again.stdout).toContain('echo changed')
  expect(await yaml.textContent()).toBe(again.stdout)
})

test('opening an existing flow and applying without a change is unchanged', async ({ page, rpad, signIn }) => {
  const name = unique('kept')
  await rpad.apply(`apiVersion: rpa/v1
kind: Flow
metadata:
  name: ${name}
  labels: {team: ap}
spec:
  description: kept as it is
  schedule: "0 2 * * *"
  timezone: Asia/Shanghai
  misfire: skip
  timeout: 10m
  target: {labels: {os: linux}}
  params:
    month: {type: string, default: "2025-07"}
    count: {type: integer, default: 3}
  steps:
    - id: login
      name: Log in to the ERP
      uses: http
      with: {method: POST, url: "https://erp.example/login", headers: {X-Client: rpa}, expect_status: 200}
    - id: download
      uses: shell
      needs: [login]
      with: {command: "fetch --month \${{ params.month }}", env: {A: b}}
      retry: {attempts: 3, delay: 10s}
      timeout: 5m
`)
  await signIn()
  await page.goto(`/designer/${name}`)
  await expect(page.locator('[data-test="step-node"]')).toHaveCount(2)
  await expect(page.locator('.vue-flow__edge')).toHaveCount(1)
  await expect(byTest(page, 'designer-opened')).toContainText('1')
  await expect(action(page, 'unchanged')).toBeVisible()
  await node(page, 'download').click()
  await expect(byTest(page, 'step-retry-attempts')).toHaveValue('3')
  await expect(byTest(page, 'step-retry-delay')).toHaveValue('10s')
  await byTest(page, 'tab-flow').click()
  await expect(byTest(page, 'flow-name')).toBeDisabled()
  await expect(byTest(page, 'flow-target')).toHaveValue('os=linux')
  await expect(page.locator('[data-test="param-row"]')).toHaveCount(2)

  await byTest(page, 'apply').click()
  await expect(byTest(page, 'designer-applied')).toHaveAttribute('data-action', 'unchanged')
  await expect(byTest(page, 'designer-applied')).toHaveAttribute('data-revision', '1')
  const flow = await rpad.call('GET', `/api/v1/flows/${name}`)
  expect(flow.metadata.revision).toBe(1)
  expect(flow.spec.steps[1].retry).toEqual({ attempts: 3, delay: '10s' })
})

test('a cycle made by dragging shows the validator at the node and Apply is disabled', async ({ page, rpad, signIn }) => {
  const name = unique('cycle')
  await rpad.apply(twoStepFlow(name))
  await signIn()
  await page.goto(`/designer/${name}`)
  await expect(page.locator('.vue-flow__edge')).toHaveCount(1)
  await expect(action(page, 'unchanged')).toBeVisible()
  await expect(byTest(page, 'apply')).toBeEnabled()

  // Drag from b's outgoing handle onto a: a now needs b, and b needs a.
  const from = (await node(page, 'b').locator('.vue-flow__handle.source').boundingBox())!
  const to = (await node(page, 'a').locator('.vue-flow__handle.target').boundingBox())!
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2)
  await page.mouse.down()
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 })
  await page.mouse.up()

  await expect(page.locator('.vue-flow__edge')).toHaveCount(2)
  const problems = page.locator('[data-test="step-node"] [data-test="node-problems"]')
  await expect(problems.first()).toContainText('steps form a cycle')
  await expect(byTest(page, 'designer-status')).toHaveAttribute('data-status', 'invalid')
  await expect(byTest(page, 'apply')).toBeDisabled()
  await expect(byTest(page, 'designer-yaml')).toHaveCount(0)

  // Unchecking the new need makes it valid again.
  await node(page, 'a').click()
  await expect(byTest(page, 'need-b')).toBeChecked()
  await byTest(page, 'need-b').uncheck()
  await expect(page.locator('.vue-flow__edge')).toHaveCount(1)
  await expect(action(page, 'unchanged')).toBeVisible()
  await expect(byTest(page, 'apply')).toBeEnabled()
})

test('a link removed in the graph drops the need, and a deleted step its node', async ({ page, rpad, signIn }) => {
  const name = unique('unlink')
  await rpad.apply(twoStepFlow(name))
  await signIn()
  await page.goto(`/designer/${name}`)
  await expect(page.locator('.vue-flow__edge')).toHaveCount(1)
  // A vertical edge's box has no width: click the middle of its path.
  const box = (await page.locator('.vue-flow__edge path').first().boundingBox())!
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
  await byTest(page, 'remove-edge').click()
  await expect(page.locator('.vue-flow__edge')).toHaveCount(0)
  await expect(action(page, 'configured')).toBeVisible()
  await node(page, 'b').click()
  await expect(byTest(page, 'need-a')).not.toBeChecked()

  // Deleting a step takes its node away; the flow stays valid.
  await byTest(page, 'delete-step').click()
  await byTest(page, 'confirm-delete').click()
  await expect(page.locator('[data-test="step-node"]')).toHaveCount(1)
  await expect(action(page, 'configured')).toBeVisible()
  await expect(byTest(page, 'designer-yaml')).not.toContainText('id: b')
})

test('a cycle through the needs checkboxes and a duplicate id are shown at their nodes', async ({ page, rpad, signIn }) => {
  const name = unique('dup')
  await rpad.apply(twoStepFlow(name))
  await signIn()
  await page.goto(`/designer/${name}`)
  await expect(action(page, 'unchanged')).toBeVisible()

  await needs(page, 'a', 'b')
  await expect(node(page, 'a').locator('[data-test="node-problems"]').or(node(page, 'b').locator('[data-test="node-problems"]')).first()).toContainText('cycle')
  await expect(byTest(page, 'apply')).toBeDisabled()
  await byTest(page, 'need-b').uncheck()
  await expect(action(page, 'unchanged')).toBeVisible()

  // Rename b to a: the second a carries the duplicate-id problem, and a missing input shows too.
  await node(page, 'b').click()
  await byTest(page, 'step-id').fill('a')
  await expect(page.locator('[data-test="step-node"][data-step="a"]')).toHaveCount(2)
  await expect(node(page, 'a').filter({ hasText: 'duplicate step id "a"' })).toHaveCount(2)
  await expect(byTest(page, 'apply')).toBeDisabled()
  await byTest(page, 'step-id').fill('b2')
  await byTest(page, 'with-command').fill('')
  await expect(node(page, 'b2').locator('[data-test="node-problems"]')).toContainText('with.command')
  await expect(byTest(page, 'step-problems')).toContainText('with.command')

  // A problem outside any step (a bad schedule) is listed above the graph.
  await byTest(page, 'with-command').fill('echo ok')
  await byTest(page, 'tab-flow').click()
  await byTest(page, 'flow-schedule').fill('61 * * *')
  await expect(byTest(page, 'designer-problems')).toContainText('bad schedule')
  await byTest(page, 'flow-schedule').fill('')
  await expect(action(page, 'configured')).toBeVisible()
  await expect(byTest(page, 'designer-problems')).toHaveCount(0)
})

test('a change made elsewhere meanwhile answers 409 and the page offers to reload', async ({ page, rpad, signIn }) => {
  const name = unique('race')
  await rpad.apply(twoStepFlow(name))
  await signIn()
  await page.goto(`/designer/${name}`)
  await expect(action(page, 'unchanged')).toBeVisible()
  await rpad.apply(twoStepFlow(name).replace('echo second', 'echo elsewhere'))

  await node(page, 'a').click()
  await byTest(page, 'with-message').fill('mine')
  await expect(byTest(page, 'designer-conflict')).toContainText('changed since revision 1')
  await expect(byTest(page, 'apply')).toBeDisabled()
  await byTest(page, 'reload').click()
  await expect(byTest(page, 'designer-opened')).toContainText('2')
  await expect(action(page, 'unchanged')).toBeVisible()
  await expect(byTest(page, 'designer-yaml')).toContainText('echo elsewhere')
})

test('a viewer sees the graph but no Apply', async ({ page, rpad, signIn }) => {
  const name = unique('viewed')
  await rpad.apply(twoStepFlow(name))
  const viewer = await rpad.user(unique('viewer'), 'viewer')
  await signIn(viewer.token)
  await page.goto(`/designer/${name}`)
  await expect(page.locator('[data-test="step-node"]')).toHaveCount(2)
  await expect(byTest(page, 'no-apply')).toBeVisible()
  await expect(byTest(page, 'apply')).toHaveCount(0)
  await expect(byTest(page, 'designer-yaml')).toContainText(`"name": "${name}"`)
})

test('the designer speaks Chinese without a console error', async ({ page, rpad, signIn }) => {
  const name = unique('zh')
  await rpad.apply(twoStepFlow(name))
  await signIn(rpad.adminToken, 'zh-CN')
  await page.goto(`/designer/${name}`)
  await expect(byTest(page, 'add-step')).toHaveText('添加步骤')
  await expect(page.locator('[data-test="step-node"]')).toHaveCount(2)
  await expect(action(page, 'unchanged')).toContainText('无变化')
  await node(page, 'b').click()
  await expect(byTest(page, 'step-form')).toContainText('命令（必填）')
  await byTest(page, 'tab-flow').click()
  await expect(byTest(page, 'flow-form')).toContainText('流程名称')
  await byTest(page, 'add-param').click()
  await expect(page.locator('[data-test="param-row"]')).toHaveCount(1)
  await page.goto('/designer')
  await expect(page.locator('h1')).toHaveText('设计器：新流程')
})
