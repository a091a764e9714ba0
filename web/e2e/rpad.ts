// A real rpad for the browser tests: `rpad init` and `rpad serve --listen 127.0.0.1:0` in a
// temporary directory, the port read from its "listening" log line; and the API calls tests use
// to seed it (robots, heartbeats, flows, users) as any other client would.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const ADMIN_PASSWORD = 'admin-password-1'

function binary(name: 'RPAD' | 'RPACTL'): string {
  const path = process.env[name]
  if (!path) throw new Error(`${name} is not set: run the suite through scripts/dashboard-e2e`)
  return path
}

export class Rpad {
  url = ''
  port = 0
  adminToken = ''
  private proc: ChildProcess | null = null
  private log = ''
  readonly dir: string

  constructor(private readonly extraArgs: string[] = []) {
    this.dir = mkdtempSync(join(tmpdir(), 'rpad-web-'))
    const init = spawnSync(binary('RPAD'), ['init', '--db', this.db], {
      env: { ...process.env, RPAD_ADMIN_PASSWORD: ADMIN_PASSWORD },
      encoding: 'utf8',
    })
    if (init.status !== 0) throw new Error(`rpad init failed: ${init.stderr}`)
  }

  get db() {
    return join(this.dir, 'rpad.db')
  }

  /** Starts rpad; on the port it had before when `samePort` (a restart, retried while the
   * port is still held). */
  async start(samePort = false) {
    for (let tries = 1; ; tries++) {
      try {
        return await this.startOnce(samePort)
      } catch (e) {
        if (!samePort || tries === 5) throw e
        await new Promise((r) => setTimeout(r, 200))
      }
    }
  }

  private async startOnce(samePort: boolean) {
    const listen = `127.0.0.1:${samePort ? this.port : 0}`
    const args = ['serve', '--listen', listen, '--db', this.db, ...this.extraArgs]
    if (process.env.WEB_DIR) args.push('--web-dir', process.env.WEB_DIR)
    this.log = ''
    const proc = spawn(binary('RPAD'), args, { stdio: ['ignore', 'ignore', 'pipe'] })
    this.proc = proc
    proc.stderr!.setEncoding('utf8')
    this.port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`rpad did not listen:\n${this.log}`)), 10_000)
      proc.stderr!.on('data', (chunk: string) => {
        this.log += chunk
        const m = /addr=127\.0\.0\.1:(\d+)/.exec(this.log)
        if (m) {
          clearTimeout(timer)
          resolve(Number(m[1]))
        }
      })
      proc.on('exit', (code) => reject(new Error(`rpad exited ${code}:\n${this.log}`)))
    })
    this.url = `http://127.0.0.1:${this.port}`
    this.adminToken = (await this.login('admin', ADMIN_PASSWORD)).access_token
  }

  /** SIGTERM, as an operator stops it; SIGKILL if it has not exited in 10 s. */
  async stop() {
    const proc = this.proc
    this.proc = null
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => proc.kill('SIGKILL'), 10_000)
      proc.on('exit', () => {
        clearTimeout(kill)
        resolve()
      })
      proc.kill('SIGTERM')
    })
  }

  async dispose() {
    await this.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }

  logText() {
    return this.log
  }

  async call<T = any>(method: string, path: string, body?: unknown, token = this.adminToken): Promise<T> {
    const reply = await fetch(this.url + path, {
      method,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await reply.text()
    if (!reply.ok) throw new Error(`${method} ${path}: ${reply.status} ${text}`)
    return (text ? JSON.parse(text) : undefined) as T
  }

  login(username: string, password: string, tenant?: string) {
    return this.call<{ access_token: string }>('POST', '/api/v1/auth/login', { username, password, ...(tenant ? { tenant } : {}) }, '')
  }

  /** A robot registered through the API: its id and its own token. */
  async robot(name: string, labels: Record<string, string> = {}, tenant?: string) {
    const q = tenant ? `?tenant=${tenant}` : ''
    const r = await this.call<{ id: number; token: string }>('POST', `/api/v1/clients${q}`, { name, labels, capacity: 1 })
    return { id: r.id, token: r.token, name }
  }

  heartbeat(robot: { id: number; token: string }, status = 'online', version = '1.0.0') {
    return this.call('POST', '/api/v1/client/heartbeat', { client_id: robot.id, status, version, ip_address: '10.0.0.7' }, robot.token)
  }

  /** Applies YAML documents as `rpactl apply` does. */
  apply(yaml: string, token = this.adminToken) {
    return this.call('POST', '/api/v1/apply', { files: [{ name: 'test.yaml', content: yaml }] }, token)
  }

  async tenant(name: string) {
    await this.call('POST', '/api/v1/tenants', { name, display_name: name })
  }

  /** A user with a known password; `tenant` for a system admin creating in another tenant. */
  async user(username: string, role: 'viewer' | 'operator' | 'admin', tenant?: string) {
    const q = tenant ? `?tenant=${tenant}` : ''
    const password = `${username}-password-1`
    await this.call('POST', `/api/v1/users${q}`, { username, role, password })
    const token = (await this.login(username, password, tenant)).access_token
    return { username, password, token, tenant }
  }

  /** rpactl against this rpad with the admin's token. */
  rpactl(args: string[], input?: string) {
    const out = spawnSync(binary('RPACTL'), args, {
      env: { ...process.env, RPACTL_SERVER: this.url, RPACTL_TOKEN: this.adminToken, HOME: this.dir },
      input,
      encoding: 'utf8',
    })
    return { code: out.status, stdout: out.stdout, stderr: out.stderr }
  }

  /** Writes a file in rpad's directory (for rpactl) and returns its path. */
  file(name: string, content: string) {
    const path = join(this.dir, name)
    writeFileSync(path, content)
    return path
  }
}
