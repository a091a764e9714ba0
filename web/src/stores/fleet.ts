// The robots of the tenant, kept live for the robots table. Thousands of rows and a thousand
// heartbeats a second: the robots sit in a plain Map, events are queued as they arrive and
// applied once per animation frame, and the page re-renders on one counter. Only a status
// change (or a new robot) re-runs the filter; a heartbeat just repaints the visible rows.
import { shallowRef, ref } from 'vue'
import { get, getAll } from '../api/http'
import type { Client } from '../api/types'
import { useLive, type LiveEvent } from './live'

export interface Filters {
  q: string
  status: string
  label: string
}

export function useFleet() {
  const live = useLive()
  const robots = new Map<number, Client>()
  const frame = ref(0)
  const rows = shallowRef<Client[]>([])
  const counts = ref({ online: 0, offline: 0, total: 0 })
  const loading = ref(true)
  const error = ref<string | null>(null)
  let filters: Filters = { q: '', status: '', label: '' }
  let pending = new Map<number, Partial<Client>>()
  let scheduled = false
  let refilter = false
  let following: ReturnType<typeof live.follow> | null = null
  // Robots of other tenants (a system admin's events) or deleted: asked once, then ignored.
  const unknown = new Set<number>()

  function matches(c: Client): boolean {
    if (filters.status && c.status !== filters.status) return false
    if (filters.q && !c.name.toLowerCase().includes(filters.q.toLowerCase())) return false
    if (filters.label) {
      const [k, v] = filters.label.split('=', 2)
      const have = (c.labels as Record<string, string> | undefined)?.[k.trim()]
      if (have === undefined || (v !== undefined && have !== v.trim())) return false
    }
    return true
  }

  function recount() {
    let online = 0
    for (const c of robots.values()) if (c.is_online) online += 1
    counts.value = { online, offline: robots.size - online, total: robots.size }
  }

  function filter() {
    const out: Client[] = []
    for (const c of robots.values()) if (matches(c)) out.push(c)
    out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    rows.value = out
    recount()
  }

  function setFilters(f: Filters) {
    filters = { ...f }
    filter()
  }

  function add(items: Client[]) {
    for (const c of items) robots.set(c.id, c)
    filter()
  }

  function flush() {
    scheduled = false
    const batch = pending
    pending = new Map()
    for (const [id, change] of batch) {
      const c = robots.get(id)
      if (!c) continue
      if (change.status !== undefined && change.status !== c.status) refilter = true
      Object.assign(c, change)
    }
    if (refilter) {
      refilter = false
      filter()
    }
    frame.value += 1
  }

  function onEvent(e: LiveEvent) {
    const d = e.data ?? {}
    const id = Number(d.client_id)
    if (!robots.has(id)) {
      // A robot registered after the list: read it once.
      if (e.topic === 'client_status' && !unknown.has(id)) {
        unknown.add(id)
        get<Client>(`/api/v1/clients/${id}`).then(
          (c) => {
            unknown.delete(c.id)
            if (!robots.has(c.id)) add([c])
          },
          () => {},
        )
      }
      return
    }
    const change: Partial<Client> = { ...(pending.get(id) ?? {}) }
    for (const key of ['status', 'is_online', 'last_heartbeat', 'version', 'ip_address'] as const)
      if (key in d) (change as any)[key] = d[key]
    pending.set(id, change)
    if (!scheduled) {
      scheduled = true
      requestAnimationFrame(flush)
    }
  }

  async function list() {
    robots.clear()
    pending.clear()
    await getAll<Client>('/api/v1/clients', (page) => {
      add(page)
      loading.value = false
    }, 1000)
    loading.value = false
  }

  function start() {
    following = live.follow(['client_status', 'heartbeat'], { onEvent }, list)
    following.ready.catch((e) => {
      error.value = (e as Error).message
      loading.value = false
    })
  }

  function dispose() {
    following?.stop()
  }

  return { rows, counts, frame, loading, error, setFilters, start, dispose }
}
