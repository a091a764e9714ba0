// The tab's one WebSocket to rpad (SPEC §3.3). Pages follow topics: list, then watch from the
// seq they listed at. The store subscribes once per topic, keeps for each the seq it has seen,
// and after a drop resubscribes with `since`, so no transition is missed. When rpad cannot
// replay (RESYNC_REQUIRED) or is a new instance (its sequence started again), the topic's
// watchers list again, events meanwhile are dropped, and the topic resumes from the head the
// server named, which replays them.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { get } from '../api/http'

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
  let tenant: string | null = null
  let instance: string | null = null
  let attempt = 0
  let retryTimer = 0
  let countdownTimer = 0
  const watchers = new Map<string, Set<Watcher>>()
  // Per topic: the seq its watchers have seen everything up to (where a reconnect resumes).
  const resumeFrom = new Map<string, number>()
  // Topics whose subscription this socket has acknowledged: every later frame advances them.
  const acked = new Set<string>()
  // Topics listing again: their events wait for the replay that follows.
  const resyncing = new Set<string>()
  let opened: (() => void)[] = []
  let pongs: ((seq: number) => void)[] = []

  function send(msg: object) {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(msg))
  }

  function runIds(topic: string) {
    return [...new Set([...(watchers.get(topic) ?? [])].flatMap((w) => (w.runId === undefined ? [] : [w.runId])))]
  }

  function subscribe(topic: string, since?: number) {
    const [first, ...more] = runIds(topic)
    const msg: Record<string, unknown> = { action: 'subscribe', topic }
    if (since !== undefined) msg.since = since
    // The first run's logs in the same message, so that its replay includes them.
    if (first !== undefined) msg.run_id = first
    acked.delete(topic)
    send(msg)
    for (const run_id of more) send({ action: 'subscribe', topic, run_id })
  }

  async function resync(topic: string, head: number) {
    if (resyncing.has(topic)) return
    resyncing.add(topic)
    try {
      await Promise.all([...(watchers.get(topic) ?? [])].map((w) => w.onResync?.()))
    } finally {
      resyncing.delete(topic)
    }
    resumeFrom.set(topic, head)
    if (watchers.get(topic)?.size) subscribe(topic, head)
  }

  function advance(to: number) {
    for (const topic of acked)
      if (!resyncing.has(topic) && to > (resumeFrom.get(topic) ?? 0)) resumeFrom.set(topic, to)
  }

  function onMessage(raw: string) {
    let e: LiveEvent
    try {
      e = JSON.parse(raw)
    } catch {
      return
    }
    if (typeof e.seq === 'number' && e.seq > last) last = e.seq
    if (e.type === 'SYSTEM_MESSAGE' && e.data?.event === 'welcome') return welcome(e)
    if (e.type === 'SYSTEM_MESSAGE' && e.data?.event === 'subscribed') {
      acked.add(e.data.topic)
      return
    }
    if (e.type === 'RESYNC_REQUIRED') return void resync(e.topic, e.data?.seq ?? last)
    if (e.type === 'PONG') pongs.shift()?.(e.seq)
    if (e.topic === 'system' || !watchers.has(e.topic)) return advance(e.seq)
    if (resyncing.has(e.topic)) return
    resumeFrom.set(e.topic, e.seq)
    for (const w of watchers.get(e.topic) ?? []) w.onEvent(e)
    advance(e.seq)
  }

  function welcome(e: LiveEvent) {
    const fresh = instance !== null && instance !== e.data.instance
    instance = e.data.instance
    state.value = 'open'
    attempt = 0
    last = e.seq
    seq.value = last
    for (const topic of watchers.keys()) {
      // A new rpad numbers events afresh; a topic never listed at a known seq lists again.
      if (fresh || !resumeFrom.has(topic)) void resync(topic, e.seq)
      else subscribe(topic, resumeFrom.get(topic))
    }
    const waiting = opened
    opened = []
    for (const f of waiting) f()
  }

  function open() {
    if (!token) return
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    state.value = attempt === 0 ? 'connecting' : 'reconnecting'
    let url = `${scheme}://${location.host}/api/v1/client/ws?token=${encodeURIComponent(token)}`
    if (tenant) url += `&tenant=${encodeURIComponent(tenant)}`
    const ws = new WebSocket(url)
    socket = ws
    ws.onmessage = (m) => onMessage(String(m.data))
    ws.onclose = () => {
      if (socket !== ws) return
      socket = null
      acked.clear()
      pongs = []
      scheduleRetry()
    }
  }

  function scheduleRetry() {
    if (!token) {
      state.value = 'offline'
      return
    }
    attempt += 1
    // A refused handshake looks like any drop to a browser: ask once over HTTP, whose 401
    // signs the session out.
    if (attempt === 3) get('/api/v1/auth/me').catch(() => {})
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

  /** Connects as `t`; `actingIn` narrows a system admin's events to one tenant. */
  function connect(t: string, actingIn: string | null) {
    if (token === t && tenant === actingIn && socket) return
    disconnect()
    token = t
    tenant = actingIn
    open()
  }

  function disconnect() {
    token = null
    clearTimeout(retryTimer)
    clearInterval(countdownTimer)
    const ws = socket
    socket = null
    ws?.close()
    instance = null
    attempt = 0
    last = 0
    resumeFrom.clear()
    acked.clear()
    state.value = 'offline'
  }

  /**
   * The seq to list at: the server's head, asked with a ping (or the welcome's, if the socket
   * is still opening). Without an answer in 2 s it resolves with the last seq seen; a page
   * that lists at a stale seq is told RESYNC_REQUIRED and lists again.
   */
  function head(): Promise<number> {
    return new Promise((resolve) => {
      const done = (s: number) => resolve(s)
      if (state.value === 'open') {
        pongs.push(done)
        send({ action: 'ping' })
      } else {
        opened.push(() => done(last))
      }
      setTimeout(() => done(last), 2000)
    })
  }

  function watch(topic: string, w: Watcher, since: number): () => void {
    let set = watchers.get(topic)
    if (!set) watchers.set(topic, (set = new Set()))
    const first = set.size === 0
    set.add(w)
    if (first) {
      resumeFrom.set(topic, since)
      subscribe(topic, since)
    } else if (w.runId !== undefined) {
      send({ action: 'subscribe', topic, run_id: w.runId })
    }
    return () => {
      set!.delete(w)
      if (set!.size === 0) {
        watchers.delete(topic)
        resumeFrom.delete(topic)
        acked.delete(topic)
        send({ action: 'unsubscribe', topic })
      } else if (w.runId !== undefined && !runIds(topic).includes(w.runId)) {
        send({ action: 'unsubscribe', topic, run_id: w.runId }) // its logs only
      }
    }
  }

  /**
   * Follow `topics`: `list` (the page's GETs), then watch from the seq it listed at; `list`
   * runs again whenever the topic needs it. `stop` works at any point, also
   * before the list has come back.
   */
  function follow(topics: string[], w: Omit<Watcher, 'onResync'>, list: () => Promise<void>) {
    let stopped = false
    let stops: (() => void)[] = []
    // One list at a time; asked again while one runs, it runs once more after (the one running
    // may have started before the change that asked).
    let listing: Promise<void> | null = null
    let again = false
    const relist = (): Promise<void> => {
      if (listing) {
        again = true
        return listing
      }
      listing = list().finally(() => {
        listing = null
        if (again) {
          again = false
          void relist().catch(() => {})
        }
      })
      return listing
    }
    const ready = (async () => {
      const since = await head()
      if (stopped) return
      await relist()
      if (stopped) return
      stops = topics.map((topic) => watch(topic, { ...w, onResync: relist }, since))
    })()
    return {
      ready,
      relist,
      stop() {
        stopped = true
        for (const f of stops) f()
        stops = []
      },
    }
  }

  return { state, retryIn, seq, connect, disconnect, follow }
})
