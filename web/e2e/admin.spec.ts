// The admin pages against a real rpad: who sees which write action, users, API tokens, secrets
// (names only), tenant isolation, webhooks and their deliveries, the audit log, and zh-CN.
import { test, expect, unique } from './fixtures'

test('a viewer sees no write action on users, secrets, webhooks, audit and tenants', async ({ page, rpad, signIn }) => {
  const secret = unique('VIEWER_SEES')
  await rpad.call('PUT', `/api/v1/secrets/${secret}`, { value: 'v' })
  const viewer = await rpad.user(unique('viewer'), 'viewer')
  await signIn(viewer.token)

  await page.goto('/admin/users')
  await expect(page.getByTestId('only-admins')).toBeVisible()
  await expect(page.getByTestId('create-user')).toHaveCount(0)
  await expect(page.locator('[data-tab="tenants"]')).toHaveCount(0)
  await expect(page.locator('[data-tab="users"]')).toHaveCount(0)

  await page.goto('/admin/secrets')
  await expect(page.locator(`[data-row="${secret}"]`)).toBeVisible()
  await expect(page.getByTestId('set-secret')).toHaveCount(0)
  await expect(page.locator('[data-test="delete"], [data-test="replace"]')).toHaveCount(0)

  for (const path of ['/admin/webhooks', '/admin/audit']) {
    await page.goto(path)
    await expect(page.getByTestId('only-admins')).toBeVisible()
    await expect(page.locator('button[data-test="delete"], [data-test="audit-filter"]')).toHaveCount(0)
  }
  await page.goto('/admin/tenants')
  await expect(page.getByTestId('only-system-admins')).toBeVisible()
  await expect(page.getByTestId('create-tenant')).toHaveCount(0)
})

test('an admin sees the write actions', async ({ page, rpad, signIn }) => {
  const admin = await rpad.user(unique('admin'), 'admin')
  const other = await rpad.user(unique('other'), 'viewer')
  const secret = unique('ADMIN_SEES')
  await rpad.call('PUT', `/api/v1/secrets/${secret}`, { value: 'v' })
  await signIn(admin.token)

  await page.goto('/admin/users')
  await expect(page.getByTestId('create-user')).toBeVisible()
  const row = page.locator(`[data-row="${other.username}"]`)
  await expect(row.getByTestId('delete')).toBeVisible()
  await expect(row.getByTestId('toggle')).toBeVisible()
  // rpad refuses changing oneself, so one's own row offers none of it.
  await expect(page.locator(`[data-row="${admin.username}"]`).getByTestId('delete')).toHaveCount(0)
  // Only system admins manage tenants.
  await expect(page.locator('[data-tab="tenants"]')).toHaveCount(0)

  await page.goto('/admin/secrets')
  await expect(page.getByTestId('set-secret')).toBeVisible()
  await expect(page.locator(`[data-row="${secret}"]`).getByTestId('delete')).toBeVisible()
})

test('an admin creates users, with a password or with one rpad generates, and manages them', async ({ page, rpad, signIn }) => {
  await signIn()
  await page.goto('/admin/users')
  const chosen = unique('alice')
  const form = page.getByTestId('create-user')
  await form.locator('input[name="username"]').fill(chosen)
  await form.locator('select[name="role"]').selectOption('operator')
  await form.locator('input[name="password"]').fill('alice-password-1')
  await form.getByRole('button').click()
  const row = page.locator(`[data-row="${chosen}"]`)
  await expect(row).toBeVisible()
  await expect(row.getByTestId('role')).toHaveValue('operator')
  await expect(page.getByRole('dialog')).toHaveCount(0)
  await rpad.login(chosen, 'alice-password-1')

  const generated = unique('bob')
  await form.locator('input[name="username"]').fill(generated)
  await form.getByRole('button').click()
  const dialog = page.getByRole('dialog')
  await expect(dialog.getByTestId('copy-text')).not.toBeEmpty()
  const password = (await dialog.getByTestId('copy-text').textContent())!.trim()
  await rpad.login(generated, password)
  await dialog.getByTestId('close').click()
  await expect(page.getByRole('dialog')).toHaveCount(0)
  await expect(page.getByText(password)).toHaveCount(0)

  const bob = page.locator(`[data-row="${generated}"]`)
  await bob.getByTestId('role').selectOption('admin')
  await expect.poll(async () => (await rpad.call('GET', `/api/v1/users/${generated}`)).role).toBe('admin')
  await bob.getByTestId('toggle').click()
  await expect(bob.getByTestId('disabled')).toBeVisible()

  await bob.getByTestId('reset-password').click()
  await page.getByRole('dialog').locator('input[type="password"]').fill('bob-new-password-1')
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click()
  await expect(page.getByRole('dialog')).toHaveCount(0)

  await bob.getByTestId('delete').click()
  await page.getByRole('dialog').getByTestId('confirm').click()
  await expect(bob).toHaveCount(0)
})

test('an API token is shown once, listed without its secret, and revoked', async ({ page, rpad, signIn }) => {
  const operator = await rpad.user(unique('op'), 'operator')
  await signIn(operator.token)
  await page.goto('/admin/tokens')
  // No role above the caller's own is offered.
  const form = page.getByTestId('create-token')
  await expect(form.locator('select[name="role"] option')).toHaveCount(2)
  const name = unique('ci')
  await form.locator('input[name="name"]').fill(name)
  await form.locator('select[name="expires_in"]').selectOption('30')
  await form.getByRole('button').click()

  const dialog = page.getByRole('dialog')
  await expect(dialog).toContainText('Shown once')
  const secret = (await dialog.getByTestId('copy-text').textContent())!.trim()
  expect(secret).toMatch(/^rpa_/)
  const me = await rpad.call('GET', '/api/v1/auth/me', undefined, secret)
  expect(me.username).toBe(operator.username)
  await dialog.getByTestId('close').click()

  const row = page.locator(`[data-row="${name}"]`)
  await expect(row).toContainText(secret.slice(0, 8))
  await expect(page.locator('body')).not.toContainText(secret)
  expect(await page.content()).not.toContain(secret)

  await row.getByTestId('revoke').click()
  await page.getByRole('dialog').getByTestId('confirm').click()
  await expect(row.getByTestId('revoked')).toBeVisible()
  await expect(row.getByTestId('revoke')).toHaveCount(0)
  await expect(rpad.call('GET', '/api/v1/auth/me', undefined, secret)).rejects.toThrow(/401/)
})

test('a secret is set and listed by name; its value never reaches the page', async ({ page, rpad, signIn }) => {
  await signIn()
  await page.goto('/admin/secrets')
  const name = unique('ERP_PASSWORD')
  const value = `hunter2-${Date.now()}`
  const form = page.getByTestId('set-secret')
  await form.locator('input[name="name"]').fill(name)
  await form.locator('input[name="value"]').fill(value)
  await expect(form.locator('input[name="value"]')).toHaveAttribute('type', 'password')
  await form.getByRole('button').click()

  const row = page.locator(`[data-row="${name}"]`)
  await expect(row).toContainText('admin')
  await expect(form.locator('input[name="value"]')).toHaveValue('')
  expect(await page.content()).not.toContain(value)
  await page.reload()
  await expect(row).toBeVisible()
  expect(await page.content()).not.toContain(value)

  await row.getByTestId('delete').click()
  await page.getByRole('dialog').getByTestId('confirm').click()
  await expect(row).toHaveCount(0)
})

test("a tenant admin never sees another tenant's users", async ({ page, rpad, signIn }) => {
  const tenantB = unique('tb')
  await rpad.tenant(tenantB)
  const inDefault = await rpad.user(unique('dflt'), 'viewer')
  const bAdmin = await rpad.user(unique('badmin'), 'admin', tenantB)
  const bViewer = await rpad.user(unique('bview'), 'viewer', tenantB)

  await signIn(bAdmin.token)
  await page.goto('/admin/users')
  await expect(page.locator(`[data-row="${bViewer.username}"]`)).toBeVisible()
  await expect(page.locator(`[data-row="${inDefault.username}"]`)).toHaveCount(0)
  await expect(page.locator('[data-row="admin"]')).toHaveCount(0)
  await page.goto('/admin/tenants')
  await expect(page.getByTestId('only-system-admins')).toBeVisible()
})

test('a system admin creates a tenant and acts in it', async ({ page, rpad, signIn }) => {
  await signIn()
  await page.goto('/admin/tenants')
  const name = unique('tc')
  const form = page.getByTestId('create-tenant')
  await form.locator('input[name="name"]').fill(name)
  await form.locator('input[name="display_name"]').fill('Finance')
  await form.getByRole('button').click()
  const row = page.locator(`[data-row="${name}"]`)
  await expect(row).toContainText('Finance')
  const inside = await rpad.user(unique('tcuser'), 'viewer', name)

  await row.getByTestId('act-in').click()
  await expect(page.getByTestId('who')).toContainText(name)
  await page.locator('[data-tab="users"]').click()
  await expect(page.locator(`[data-row="${inside.username}"]`)).toBeVisible()
  await expect(page.locator('[data-row="admin"]')).toHaveCount(0)

  // Back home, then the empty tenant goes.
  await page.locator('[data-tab="tenants"]').click()
  await page.locator('[data-row="default"]').getByTestId('act-in').click()
  await expect(page.getByTestId('who')).toContainText('default')
  await page.locator(`[data-row="${name}"]`).getByTestId('delete').click()
  await page.getByRole('dialog').getByTestId('cascade').check()
  await page.getByRole('dialog').getByTestId('confirm').click()
  await expect(page.locator(`[data-row="${name}"]`)).toHaveCount(0)
})

test('the audit log lists what was just done, newest first, filtered by action', async ({ page, rpad, signIn }) => {
  // Created without logging in as it: a login would be a newer entry.
  const created = unique('audited')
  await rpad.call('POST', '/api/v1/users', { username: created, role: 'viewer' })
  await signIn()
  await page.goto('/admin/audit')
  const entry = page.locator('tbody tr[data-action="user.create"]', { hasText: created })
  await expect(entry).toContainText(`user/${created}`)
  const ids = await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-row'))))
  expect(ids).toEqual([...ids].sort((a, b) => b - a))

  await page.locator('input[name="action"]').fill('user.')
  await page.getByTestId('audit-filter').getByRole('button').click()
  await expect(page).toHaveURL(/action=user\./)
  await expect(page.locator('tbody tr:not([data-action^="user."])')).toHaveCount(0)
  await expect(entry).toBeVisible()
})

test('the audit log pages with Load more', async ({ page, rpad, signIn }) => {
  const prefix = unique('PAGED')
  for (let i = 0; i < 55; i++) await rpad.call('PUT', `/api/v1/secrets/${prefix}_${i}`, { value: 'v' })
  await signIn()
  await page.goto('/admin/audit?action=secret.set')
  const rows = page.locator('tbody tr')
  await expect(rows).toHaveCount(50)
  await page.getByTestId('more').click()
  await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(55)
  const ids = await rows.evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-row'))))
  expect(new Set(ids).size).toBe(ids.length)
  expect(ids).toEqual([...ids].sort((a, b) => b - a))
})

test('a webhook is listed, shows its deliveries, and a delivery is sent again', async ({ page, rpad, signIn }) => {
  const name = unique('hook')
  const key = unique('hook-key')
  await rpad.call('PUT', `/api/v1/secrets/${key}`, { value: 'signing-key' })
  // Nothing listens on port 9: every attempt fails, and the delivery waits for its retry.
  await rpad.apply(
    `apiVersion: rpa/v1\nkind: Webhook\nmetadata:\n  name: ${name}\nspec:\n  url: http://127.0.0.1:9/hook\n  events: [client.online]\n  secretRef: ${key}\n`,
  )
  const robot = await rpad.robot(unique('bot'))
  await rpad.heartbeat(robot)
  await expect
    .poll(async () => (await rpad.call('GET', `/api/v1/webhooks/${name}/deliveries`)).items[0]?.attempts?.length ?? 0, { timeout: 15_000 })
    .toBeGreaterThan(0)

  await signIn()
  await page.goto('/admin/webhooks')
  const row = page.locator(`[data-row="${name}"]`)
  await expect(row).toContainText('client.online')
  await row.getByTestId('open').click()
  await expect(page).toHaveURL(new RegExp(`/admin/webhooks/${name}$`))
  await expect(page.getByTestId('spec')).toContainText('http://127.0.0.1:9/hook')
  const delivery = page.locator('tbody tr').first()
  await expect(delivery).toContainText('client.online')
  await expect(delivery).not.toHaveAttribute('data-state', 'delivered')
  await delivery.getByTestId('redeliver').click()
  await expect(delivery).toHaveAttribute('data-state', 'pending')
  await expect.poll(async () => (await rpad.call('GET', `/api/v1/audit?action=webhook.redeliver`)).items.length).toBeGreaterThan(0)
})

test('the admin pages speak zh-CN', async ({ page, signIn }) => {
  await signIn(undefined, 'zh-CN')
  const titles: Record<string, string> = {
    '/admin/tenants': '租户',
    '/admin/users': '用户',
    '/admin/tokens': 'API 令牌',
    '/admin/secrets': '密钥',
    '/admin/webhooks': 'Webhook',
    '/admin/audit': '审计日志',
  }
  for (const [path, title] of Object.entries(titles)) {
    await page.goto(path)
    await expect(page.locator('h1')).toHaveText(title)
    await expect(page.getByTestId('admin-nav')).toContainText('审计日志')
    await expect(page.locator('table.grid, [data-test="empty"]').first()).toBeVisible()
  }
})
