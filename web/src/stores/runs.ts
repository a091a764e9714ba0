// Runs kept live: a list (newest first) that RUN_STATUS_UPDATE events update in place.
import { ref, shallowRef } from 'vue'
import { get } from '../api/http'
import type { Page, Run } from '../api/types'
import { useLive, type LiveEvent } from './live'

export const terminal = new Set(['succeeded', 'failed', 'cancelled', 'timed_out', 'lost'])

/** The runs `query` selects (e.g. "flow=x" or "client=bot-1"), newest first, live. */
export function useRunList(query = '', limit = 100) {
  const live = useLive()
  const runs = shallowRef<Run[]>([])
  const loading = ref(true)
  const error = ref<string | null>(null)
  let stop: (() => void) | null = null
  const want = new URLSearchParams(query)

  function fits(r: Run) {
    for (const [k, v] of want) {
      const have = k === 'client' ? r.client : (r as any)[k]
      if (String(have ?? '') !== v) return false
    }
    return true
  }

  async function list() {
    const page = await get<Page<Run>>(`/api/v1/runs?limit=${limit}${query ? '&' + query : ''}`)
    runs.value = page.items
    loading.value = false
  }

  function onEvent(e: LiveEvent) {
    if (e.type !== 'RUN_STATUS_UPDATE') return
    const run = e.data as Run
    if (!run?.id || !fits(run)) return
    const at = runs.value.findIndex((r) => r.id === run.id)
    if (at >= 0) runs.value = runs.value.map((r) => (r.id === run.id ? run : r))
    else runs.value = [run, ...runs.value].sort((a, b) => b.id - a.id).slice(0, limit)
  }

  async function start() {
    try {
      const since = await live.head()
      await list()
      stop = live.watch('runs', { onEvent, onResync: list }, since)
    } catch (e) {
      error.value = (e as Error).message
      loading.value = false
    }
  }

  return { runs, loading, error, start, dispose: () => stop?.() }
}
