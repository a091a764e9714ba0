// Runs kept live: a list (newest first) that RUN_STATUS_UPDATE events update in place.
import { ref, shallowRef } from 'vue'
import { get } from '../api/http'
import type { Page, Run } from '../api/types'
import { useLive, type LiveEvent } from './live'

export const terminal = new Set(['succeeded', 'failed', 'cancelled', 'timed_out', 'lost'])

/**
 * A RUN_STATUS_UPDATE applied to the run it names: the event carries the run's state, reason
 * and robot, and `step` ({id, state}) when a step moved; the rest stays as last read.
 */
export function applyRunEvent(run: Run, data: any): Run {
  const { step, run_id: _id, ...fields } = data ?? {}
  const out = { ...run, ...fields } as Run
  if (step?.id)
    out.steps = run.steps.map((s) => (s.id === step.id ? { ...s, state: step.state } : s))
  return out
}

/** The runs `query` selects (e.g. "flow=x" or "client=bot-1"), newest first, live. */
export function useRunList(query = '', limit = 100) {
  const live = useLive()
  const runs = shallowRef<Run[]>([])
  const loading = ref(true)
  const error = ref<string | null>(null)
  let following: ReturnType<typeof live.follow> | null = null
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

  function insert(run: Run) {
    if (!fits(run) || runs.value.some((r) => r.id === run.id)) return
    runs.value = [run, ...runs.value].sort((a, b) => b.id - a.id).slice(0, limit)
  }

  function onEvent(e: LiveEvent) {
    if (e.type !== 'RUN_STATUS_UPDATE' || !e.data?.id) return
    const id = Number(e.data.id)
    if (runs.value.some((r) => r.id === id))
      // A run that no longer fits (a state filter) leaves the list.
      runs.value = runs.value.map((r) => (r.id === id ? applyRunEvent(r, e.data) : r)).filter(fits)
    else if (!want.has('flow') || e.data.flow === want.get('flow'))
      // A run this list has not seen: read it whole (the event carries only what changed).
      get<Run>(`/api/v1/runs/${id}`).then(insert, () => {})
  }

  function start() {
    following = live.follow(['runs'], { onEvent }, list)
    return following.ready.catch((e) => {
      error.value = (e as Error).message
      loading.value = false
    })
  }

  return { runs, loading, error, start, dispose: () => following?.stop() }
}
