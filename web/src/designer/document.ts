// The designer's document: a flow as metadata and spec, written as a JSON document (JSON is YAML)
// that rpad validates as you edit (a dry-run apply) and renders as the canonical YAML. Because
// the page writes the text, it knows the lines of each step and shows every problem rpad reports
// at its step. Apply is 409-safe: an opened flow is applied with the revision it was opened at.
// Every field the forms do not edit is kept exactly as GET returned it, so opening and applying
// without a change is `unchanged`.
import { computed, onBeforeUnmount, ref, watch } from 'vue'
import { ApiError, api, get } from '../api/http'
import type { ApplyReply } from '../api/types'
import { useSession } from '../stores/session'

export type Json = Record<string, any>
interface Problem {
  line?: number
  column?: number
  message?: string
  msg?: string
  hint?: string
}

export const actions = ['shell', 'http', 'sleep', 'log'] as const
export interface Input {
  key: string
  kind: 'text' | 'textarea' | 'select'
  options?: string[]
  /** A message key. */
  placeholder?: string
}
export const inputs: Record<string, Input[]> = {
  shell: [
    { key: 'command', kind: 'textarea' },
    { key: 'shell', kind: 'select', options: ['bash', 'sh', 'pwsh', 'powershell', 'cmd'] },
    { key: 'workdir', kind: 'text' },
  ],
  http: [
    { key: 'url', kind: 'text', placeholder: 'designer.placeholder.url' },
    { key: 'method', kind: 'select', options: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] },
    { key: 'body', kind: 'textarea' },
  ],
  sleep: [{ key: 'duration', kind: 'text', placeholder: 'designer.placeholder.duration' }],
  log: [
    { key: 'message', kind: 'textarea' },
    { key: 'level', kind: 'select', options: ['info', 'warn', 'error'] },
  ],
}
export const paramTypes = ['string', 'integer', 'number', 'boolean']

export type Status = 'idle' | 'validating' | 'valid' | 'invalid' | 'conflict' | 'error'

/** The 1-based first and last line of each step in `text` (JSON.stringify's fixed layout). */
function stepLines(doc: string): [number, number][] {
  const lines = doc.split('\n')
  const out: [number, number][] = []
  let i = lines.indexOf('    "steps": [')
  if (i < 0) return out
  let start = 0
  for (i += 1; i < lines.length; i++) {
    const l = lines[i]
    if (l === '    ]' || l === '    ],') break
    if (l === '      {') start = i + 1
    else if ((l === '      }' || l === '      },') && start) {
      out.push([start, i + 1])
      start = 0
    }
  }
  return out
}

const problemText = (p: Problem) => {
  const m = p.message ?? p.msg ?? JSON.stringify(p)
  return p.hint ? `${m} (${p.hint})` : m
}

// ---- helpers for the forms --------------------------------------------------------------------

/** Sets obj[key], or removes it for an empty value: no field the user did not set. */
export function setKey(obj: Json, key: string, value: unknown) {
  if (value === '' || value === undefined || value === null || (typeof value === 'number' && Number.isNaN(value)))
    delete obj[key]
  else obj[key] = value
}
export const valueOf = (e: Event) => (e.target as HTMLInputElement).value
export const numberOrEmpty = (v: string) => (v.trim() === '' ? undefined : Number(v))
export const shownValue = (v: unknown) =>
  v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v)
export function withOf(step: Json): Json {
  return step.with && typeof step.with === 'object' ? step.with : {}
}

/**
 * The designer's state and editing logic. `openName` is the flow the page was opened for (the
 * route's name), which Reload falls back to before the flow exists.
 */
export function useFlowDocument(openName: () => string | undefined) {
  const session = useSession()

  // ---- the document ---------------------------------------------------------------------------

  const loading = ref(false)
  const loadError = ref<string | null>(null)
  const metadata = ref<Json>({ name: '' })
  const spec = ref<Json>({ steps: [] })
  /** The revision the flow was opened at (or last applied as); null for a flow not yet applied. */
  const openedRevision = ref<number | null>(null)
  const exists = computed(() => openedRevision.value !== null)
  const flowName = computed(() => String(metadata.value.name ?? ''))

  const steps = computed<Json[]>(() => spec.value.steps as Json[])
  const graphSteps = computed(() =>
    steps.value.map((s) => ({
      id: typeof s.id === 'string' ? s.id : String(s.id ?? ''),
      uses: String(s.uses ?? ''),
      needs: Array.isArray(s.needs) ? s.needs.map(String) : undefined,
    })),
  )

  const documentObject = computed(() => {
    const md: Json = { ...metadata.value }
    if (openedRevision.value !== null) md.revision = openedRevision.value
    else delete md.revision
    return { apiVersion: 'rpa/v1', kind: 'Flow', metadata: md, spec: spec.value }
  })
  const text = computed(() => JSON.stringify(documentObject.value, null, 2))

  // ---- loading --------------------------------------------------------------------------------

  const labelsText = ref('')
  const paramRows = ref<{ name: string; body: Json }[]>([])
  const selectedIndex = ref<number | null>(null)

  function resetForms() {
    const labels = spec.value.target?.labels
    labelsText.value =
      labels && typeof labels === 'object'
        ? Object.entries(labels)
            .map(([k, v]) => `${k}=${v ?? ''}`)
            .join(', ')
        : ''
    const params = spec.value.params
    paramRows.value =
      params && typeof params === 'object'
        ? Object.entries(params).map(([name, body]) => ({ name, body: (body ?? {}) as Json }))
        : []
  }

  async function load(name: string) {
    loading.value = true
    loadError.value = null
    try {
      const flow = await get<Json>(`/api/v1/flows/${encodeURIComponent(name)}`)
      const md: Json = { ...(flow.metadata ?? { name }) }
      const s: Json = flow.spec ?? {}
      if (!Array.isArray(s.steps)) s.steps = []
      metadata.value = md
      spec.value = s
      openedRevision.value = Number(md.revision ?? flow.status?.revision ?? 0) || null
      resetForms()
      selectedIndex.value = s.steps.length ? 0 : null
      applied.value = null
      conflict.value = null
      error.value = null
    } catch (e) {
      loadError.value = e instanceof Error ? e.message : String(e)
    } finally {
      loading.value = false
    }
  }

  // ---- validation (a dry run at every pause in editing) ----------------------------------------

  const status = ref<Status>('idle')
  const validatedText = ref('')
  const yaml = ref('')
  const dryAction = ref('')
  const stepProblems = ref<Record<string, string[]>>({})
  const otherProblems = ref<{ line?: number; text: string }[]>([])
  const error = ref<string | null>(null)
  const conflict = ref<string | null>(null)
  const applied = ref<{ revision: number; action: string } | null>(null)
  const applying = ref(false)

  let timer: ReturnType<typeof setTimeout> | undefined
  let seq = 0
  watch(text, () => {
    if (loading.value) return
    clearTimeout(timer)
    status.value = 'validating'
    timer = setTimeout(() => void validate(), 300)
  })
  onBeforeUnmount(() => clearTimeout(timer))

  function showProblems(detail: unknown, sent: string) {
    const byStep: Record<string, string[]> = {}
    const other: { line?: number; text: string }[] = []
    const ranges = stepLines(sent)
    const sentSteps = (JSON.parse(sent).spec?.steps ?? []) as Json[]
    const list: Problem[] = Array.isArray(detail) ? detail : [{ message: String(detail) }]
    for (const p of list) {
      const k = p.line ? ranges.findIndex(([a, b]) => p.line! >= a && p.line! <= b) : -1
      if (k >= 0) {
        const id = String(sentSteps[k]?.id ?? '')
        ;(byStep[id] ??= []).push(problemText(p))
      } else other.push({ line: p.line, text: problemText(p) })
    }
    stepProblems.value = byStep
    otherProblems.value = other
  }

  function clearProblems() {
    stepProblems.value = {}
    otherProblems.value = []
  }

  async function validate() {
    if (!session.canOperate) {
      status.value = 'idle'
      return
    }
    const sent = text.value
    const mine = ++seq
    try {
      const reply = await api<ApplyReply>('POST', '/api/v1/apply', {
        dry_run: true,
        files: [{ name: 'designer.json', content: sent }],
      })
      if (mine !== seq) return
      const r = reply.results[0]
      yaml.value = r?.yaml ?? ''
      dryAction.value = r?.action ?? ''
      clearProblems()
      conflict.value = null
      error.value = null
      validatedText.value = sent
      status.value = 'valid'
    } catch (e) {
      if (mine !== seq) return
      failed(e, sent)
    }
  }

  function failed(e: unknown, sent: string) {
    yaml.value = ''
    dryAction.value = ''
    if (e instanceof ApiError && e.status === 422) {
      conflict.value = null
      error.value = null
      showProblems(e.detail, sent)
      status.value = 'invalid'
    } else if (e instanceof ApiError && e.status === 409) {
      clearProblems()
      conflict.value = e.message
      status.value = 'conflict'
    } else {
      clearProblems()
      error.value = e instanceof Error ? e.message : String(e)
      status.value = 'error'
    }
  }

  const problemCount = computed(
    () => otherProblems.value.length + Object.values(stepProblems.value).reduce((n, l) => n + l.length, 0),
  )
  const canApply = computed(
    () => session.canOperate && status.value === 'valid' && validatedText.value === text.value && !applying.value,
  )

  async function applyNow() {
    if (!canApply.value) return
    const sent = text.value
    applying.value = true
    applied.value = null
    try {
      const reply = await api<ApplyReply>('POST', '/api/v1/apply', {
        files: [{ name: 'designer.json', content: sent }],
      })
      const r = reply.results[0]
      if (r) {
        applied.value = { revision: r.revision ?? openedRevision.value ?? 0, action: r.action }
        if (r.revision) openedRevision.value = r.revision
      }
    } catch (e) {
      failed(e, sent)
    } finally {
      applying.value = false
    }
  }

  async function reload() {
    const name = exists.value ? flowName.value : openName()
    if (name) await load(name)
  }

  // ---- editing --------------------------------------------------------------------------------

  const current = computed(() => (selectedIndex.value === null ? null : (steps.value[selectedIndex.value] ?? null)))
  const currentId = computed(() => (current.value ? String(current.value.id ?? '') : undefined))

  function select(id: string, index?: number) {
    selectedIndex.value = index ?? steps.value.findIndex((s) => s.id === id)
  }

  function isUnique(id: string, except: number) {
    return !steps.value.some((s, j) => j !== except && s.id === id)
  }

  function renameStep(value: string) {
    const i = selectedIndex.value
    const step = current.value
    if (i === null || !step) return
    const old = String(step.id ?? '')
    step.id = value
    if (old === '' || !isUnique(old, i)) return
    for (const [j, s] of steps.value.entries())
      if (j !== i && Array.isArray(s.needs)) s.needs = s.needs.map((n: string) => (n === old ? value : n))
  }

  function setUses(value: string) {
    const step = current.value
    if (!step || step.uses === value) return
    step.uses = value
    step.with = {}
  }

  function setWith(key: string, value: string) {
    const step = current.value
    if (!step) return
    if (!step.with || typeof step.with !== 'object') step.with = {}
    setKey(step.with, key, value)
  }
  const keptKeys = computed(() => {
    const step = current.value
    if (!step) return []
    const known = new Set((inputs[step.uses] ?? []).map((i) => i.key))
    return Object.keys(withOf(step)).filter((k) => !known.has(k))
  })

  /** The ids a step may need: every other step's, plus any it already names. */
  const needChoices = computed(() => {
    const i = selectedIndex.value
    const out: string[] = []
    steps.value.forEach((s, j) => {
      const id = String(s.id ?? '')
      if (j !== i && id && !out.includes(id)) out.push(id)
    })
    for (const n of current.value?.needs ?? []) if (!out.includes(n)) out.push(n)
    return out
  })

  function addNeed(step: Json, from: string) {
    const needs: string[] = Array.isArray(step.needs) ? step.needs : []
    if (!needs.includes(from)) step.needs = [...needs, from]
  }
  function removeNeed(step: Json, from: string) {
    if (!Array.isArray(step.needs)) return
    const needs = step.needs.filter((n: string) => n !== from)
    if (needs.length) step.needs = needs
    else delete step.needs
  }
  function toggleNeed(id: string, on: boolean) {
    const step = current.value
    if (!step) return
    if (on) addNeed(step, id)
    else removeNeed(step, id)
  }

  function connect(from: string, to: string) {
    const step = steps.value.find((s) => s.id === to)
    if (step) addNeed(step, from)
  }
  function disconnect(from: string, to: string) {
    for (const s of steps.value) if (s.id === to) removeNeed(s, from)
  }

  function setRetry(key: 'attempts' | 'delay', value: unknown) {
    const step = current.value
    if (!step) return
    const retry: Json = step.retry && typeof step.retry === 'object' ? step.retry : {}
    setKey(retry, key, value)
    if (Object.keys(retry).length) step.retry = retry
    else delete step.retry
  }

  function addStep(uses: string) {
    let n = steps.value.length + 1
    while (steps.value.some((s) => s.id === `step-${n}`)) n++
    steps.value.push({ id: `step-${n}`, uses, with: {} })
    selectedIndex.value = steps.value.length - 1
  }

  function deleteStep(i: number) {
    const step = steps.value[i]
    if (!step) return
    const id = String(step.id ?? '')
    const unique = isUnique(id, i)
    steps.value.splice(i, 1)
    if (unique) for (const s of steps.value) removeNeed(s, id)
    selectedIndex.value = steps.value.length ? Math.min(i, steps.value.length - 1) : null
  }

  // The flow's own fields.
  function setSpec(key: string, value: unknown) {
    setKey(spec.value, key, value)
  }
  function setName(value: string) {
    if (!exists.value) metadata.value.name = value
  }
  function setLabels(value: string) {
    labelsText.value = value
    const labels: Record<string, string> = {}
    for (const part of value.split(',')) {
      const item = part.trim()
      if (!item) continue
      const eq = item.indexOf('=')
      if (eq < 0) labels[item] = ''
      else labels[item.slice(0, eq).trim()] = item.slice(eq + 1).trim()
    }
    const target: Json = spec.value.target && typeof spec.value.target === 'object' ? spec.value.target : {}
    if (Object.keys(labels).length) target.labels = labels
    else delete target.labels
    if (Object.keys(target).length) spec.value.target = target
    else delete spec.value.target
  }

  function writeParams() {
    if (!paramRows.value.length) {
      delete spec.value.params
      return
    }
    const params: Json = {}
    for (const row of paramRows.value) params[row.name] = row.body
    spec.value.params = params
  }
  function addParam() {
    let n = paramRows.value.length + 1
    while (paramRows.value.some((r) => r.name === `param${n}`)) n++
    paramRows.value.push({ name: `param${n}`, body: { type: 'string' } })
    writeParams()
  }
  function removeParam(i: number) {
    paramRows.value.splice(i, 1)
    writeParams()
  }
  function setParamName(i: number, value: string) {
    paramRows.value[i]!.name = value
    writeParams()
  }
  function setParamType(i: number, value: string) {
    paramRows.value[i]!.body.type = value
    writeParams()
  }
  function setParamDefault(i: number, value: string) {
    const body = paramRows.value[i]!.body
    let v: unknown = value
    if (value.trim() === '') v = undefined
    else if ((body.type === 'integer' || body.type === 'number') && !Number.isNaN(Number(value))) v = Number(value)
    else if (body.type === 'boolean' && (value === 'true' || value === 'false')) v = value === 'true'
    setKey(body, 'default', v)
    writeParams()
  }

  return {
    // the document
    loading,
    loadError,
    metadata,
    spec,
    openedRevision,
    exists,
    flowName,
    steps,
    graphSteps,
    text,
    labelsText,
    paramRows,
    selectedIndex,
    current,
    currentId,
    // loading, validation and apply
    load,
    reload,
    status,
    yaml,
    dryAction,
    stepProblems,
    otherProblems,
    problemCount,
    error,
    conflict,
    applied,
    applying,
    canApply,
    applyNow,
    // editing steps
    select,
    renameStep,
    setUses,
    setWith,
    keptKeys,
    needChoices,
    toggleNeed,
    connect,
    disconnect,
    setRetry,
    addStep,
    deleteStep,
    // editing the flow's own fields
    setSpec,
    setName,
    setLabels,
    addParam,
    removeParam,
    setParamName,
    setParamType,
    setParamDefault,
  }
}

export type FlowDocument = ReturnType<typeof useFlowDocument>
