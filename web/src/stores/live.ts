// The tab's one WebSocket to rpad (SPEC §3.3). Pages watch topics; the store subscribes once per
// topic, remembers the last seq it saw, and after a drop resubscribes with `since` so that no
// transition is missed. When rpad cannot replay (RESYNC_REQUIRED) or is a new instance (its
// sequence started again), watchers are asked to list again, then the topic resumes from the
// head the server named.
import { defineStore } from 'pinia'
import { ref } from 'vue'

export interface LiveEvent {
  type: string
  topic: string
  seq: number
  timestamp?: string
  data: any
}

export interface Watcher {
  onEvent: (e: LiveEvent) => void
  /** List again: what the page holds may have missed events. */
  onResync?: () => Promise<void> | void
  /** runs: also this run's RUN_LOG lines. */
  runId?: number
}

export type LiveState = 'connecting' | 'open' | 'reconnecting' | 'offline'

export const useLive = defineStore('live', () => {
  const state = ref<LiveState>('offline')
  const retryIn = ref(0)
  // The last seq seen. `seq` is its reactive copy for the header, refreshed once a second:
  // a thousand events a second must not re-render anything a thousand times.
  let last = 0
  const seq = ref(0)
  setInterval(() => (seq.value = last), 1000)
  let socket: WebSocket | null = null
  let token: string | null = null
  let instance: string | null = null
  let attempt = 0
  let retryTimer = 0
  let countdownTimer = 0
  const watchers = new Map<string, Set<Watcher>>()
  // The seq each topic resumes from after a reconnect (what its watchers have seen).
  const resumeFrom = new Map<string, number>()

  let opened: (() => void)[] = []

  /**
   * The seq to list at: resolves once the socket is open (at once if it is), so that a page
   * lists, then watches from this seq and misses nothing. Without a socket after 2 s it resolves
   * with what it has; the page then relies on a resync when the socket comes.
   */
  function head(): Promise<number> {
    if (state.value === 'open') return Promise.resolve(last)
    return new Promise((resolve) => {
      const done = () => resolve(last)
      opened.push(done)
      setTimeout(done, 2000)
    })
  }

  function send(msg: object) {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(msg))
  }

  function subscribe(topic: string, since?: number) {
    const runId = [...(watchers.get(topic) ?? [])].find((w) => w.runId !== undefined)?.runId
    const msg: Record<string, unknown> = { action: 'subscribe', topic }
    if (since !== undefined && since > 0) msg.since = since
    if (runId !== undefined) msg.run_id = runId
    send(msg)
  }

  async function resync(topic: string, head: number) {
    await Promise.all([...(watchers.get(topic) ?? [])].map((w) => w.onResync?.()))
    resumeFrom.set(topic, head)
    if (watchers.get(topic)?.size) subscribe(topic, head)
  }

  function onMessage(raw: string) {
    let e: LiveEvent
    try {
      e = JSON.parse(raw)
    } catch {
      return
    }
    if (typeof e.seq === 'number' && e.seq > last) last = e.seq
    if (e.type === 'SYSTEM_MESSAGE' && e.data?.event === 'welcome') {
      const fresh = instance !== null && instance !== e.data.instance
      instance = e.data.instance
      state.value = 'open'
      attempt = 0
      last = e.seq
      seq.value = last
      for (const topic of watchers.keys()) {
        // A topic watched before any welcome listed at an unknown seq: list again to be sure.
        if (fresh || !resumeFrom.get(topic)) void resync(topic, e.seq)
        else subscribe(topic, resumeFrom.get(topic))
      }
      const waiting = opened
      opened = []
      for (const f of waiting) f()
      return
    }
    if (e.type === 'RESYNC_REQUIRED') {
      void resync(e.topic, e.data?.seq ?? last)
      return
    }
    if (e.topic === 'system' || e.type === 'PONG' || e.type === 'ERROR') return
    resumeFrom.set(e.topic, e.seq)
    for (const w of watchers.get(e.topic) ?? []) w.onEvent(e)
  }

  function open() {
    if (!token) return
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    state.value = attempt === 0 ? 'connecting' : 'reconnecting'
    const ws = new WebSocket(`${scheme}://${location.host}/api/v1/client/ws?token=${encodeURIComponent(token)}`)
    socket = ws
    ws.onmessage = (m) => onMessage(String(m.data))
    ws.onclose = () => {
      if (socket !== ws) return
      socket = null
      scheduleRetry()
    }
  }

  function scheduleRetry() {
    if (!token) {
      state.value = 'offline'
      return
    }
    attempt += 1
    const delay = Math.min(10, 2 ** (attempt - 1))
    state.value = 'reconnecting'
    retryIn.value = delay
    clearInterval(countdownTimer)
    countdownTimer = window.setInterval(() => {
      retryIn.value = Math.max(0, retryIn.value - 1)
    }, 1000)
    retryTimer = window.setTimeout(() => {
      clearInterval(countdownTimer)
      open()
    }, delay * 1000)
  }

  function connect(t: string) {
    if (token === t && socket) return
    disconnect()
    token = t
    attempt = 0
    open()
  }

  function disconnect() {
    token = null
    clearTimeout(retryTimer)
    clearInterval(countdownTimer)
    const ws = socket
    socket = null
    ws?.close()
    state.value = 'offline'
  }

  /**
   * Watch a topic: call it after listing, with the seq read before the list, so that events the
   * list may have missed are replayed. Returns the function that stops watching.
   */
  function watch(topic: string, w: Watcher, since: number): () => void {
    let set = watchers.get(topic)
    if (!set) watchers.set(topic, (set = new Set()))
    const first = set.size === 0
    set.add(w)
    resumeFrom.set(topic, since)
    if (first || w.runId !== undefined) subscribe(topic, since)
    return () => {
      set!.delete(w)
      if (set!.size === 0) {
        watchers.delete(topic)
        send({ action: 'unsubscribe', topic })
      } else if (w.runId !== undefined) {
        // Unsubscribing drops the run's log lines; the others keep the topic.
        send({ action: 'unsubscribe', topic })
        subscribe(topic, last)
      }
    }
  }

  return { state, retryIn, seq, connect, disconnect, watch, head }
})
