// Every HTTP call of the dashboard: JSON in and out, the session's bearer token, the tenant a
// system admin acts in, and rpad's errors turned into one message a person can act on.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly detail: unknown,
  ) {
    super(message)
  }
}

interface Problem {
  msg?: string
  message?: string
  line?: number
  column?: number
  loc?: unknown[]
}

/** The human text of rpad's {"detail": ..., "code": ...}: a string, or FastAPI-style problems. */
function errorText(detail: unknown, status: number): string {
  if (typeof detail === 'string') return detail
  if (Array.isArray(detail))
    return detail.map((p: Problem) => p.msg ?? p.message ?? JSON.stringify(p)).join('\n')
  return `HTTP ${status}`
}

type Hooks = {
  token: () => string | null
  tenant: () => string | null
  unauthorized: () => void
}
let hooks: Hooks = { token: () => null, tenant: () => null, unauthorized: () => {} }

/** Set once by the session store, which owns the token (sessionStorage, never a cookie). */
export function configureHttp(h: Hooks) {
  hooks = h
}

function withTenant(path: string): string {
  const tenant = hooks.tenant()
  if (!tenant || !path.startsWith('/api/v1/') || path.startsWith('/api/v1/tenants')) return path
  return path + (path.includes('?') ? '&' : '?') + 'tenant=' + encodeURIComponent(tenant)
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const token = hooks.token()
  if (token) headers.Authorization = `Bearer ${token}`
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  let reply: Response
  try {
    reply = await fetch(withTenant(path), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch {
    throw new ApiError(0, 'rpad is unreachable', 'unreachable', null)
  }
  if (reply.status === 204) return undefined as T
  const text = await reply.text()
  let json: any = null
  try {
    json = text ? JSON.parse(text) : null
  } catch {
    json = null
  }
  if (!reply.ok) {
    if (reply.status === 401 && token) hooks.unauthorized()
    const detail = json?.detail ?? text
    throw new ApiError(reply.status, errorText(detail, reply.status), json?.code ?? '', detail)
  }
  return json as T
}

export const get = <T>(path: string) => api<T>('GET', path)

/** Every page of a list, following next_cursor; `onPage` sees each page as it arrives. */
export async function getAll<T>(
  path: string,
  onPage?: (items: T[]) => void,
  limit = 500,
): Promise<T[]> {
  const all: T[] = []
  let cursor: string | null | undefined = null
  do {
    const sep = path.includes('?') ? '&' : '?'
    const url = `${path}${sep}limit=${limit}` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '')
    const page: { items: T[]; next_cursor?: string | null } = await get(url)
    all.push(...page.items)
    onPage?.(page.items)
    cursor = page.next_cursor
  } while (cursor)
  return all
}
