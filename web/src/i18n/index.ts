// The dashboard speaks English and Simplified Chinese. Each area keeps its messages in its own
// file with both languages side by side; `zh` is typed by `en`, so a key missing from either
// fails the type check, and t() logs a console error (which fails every browser test) for a key
// nobody defined.
import { ref } from 'vue'
import common from './common'
import robots from './robots'
import runs from './runs'
import flows from './flows'
import designer from './designer'
import admin from './admin'

export type Locale = 'en' | 'zh-CN'
export const locales: Locale[] = ['en', 'zh-CN']

const areas = [common, robots, runs, flows, designer, admin]
const catalog: Record<Locale, Record<string, string>> = { en: {}, 'zh-CN': {} }
for (const area of areas) {
  Object.assign(catalog.en, area.en)
  Object.assign(catalog['zh-CN'], area.zh)
}

function preferred(): Locale {
  const saved = localStorage.getItem('rpa.locale')
  if (saved === 'en' || saved === 'zh-CN') return saved
  for (const lang of navigator.languages ?? [navigator.language])
    if (lang.toLowerCase().startsWith('zh')) return 'zh-CN'
    else if (lang.toLowerCase().startsWith('en')) return 'en'
  return 'en'
}

export const locale = ref<Locale>(preferred())
document.documentElement.lang = locale.value

export function setLocale(l: Locale) {
  locale.value = l
  localStorage.setItem('rpa.locale', l)
  document.documentElement.lang = l
}

/** The message `key` in the current language, with {name} replaced from `params`. */
export function t(key: string, params?: Record<string, string | number>): string {
  const text = catalog[locale.value][key]
  if (text === undefined) {
    console.error(`missing translation: ${key} (${locale.value})`)
    return key
  }
  if (!params) return text
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m))
}


/** "12 s ago", "3 min ago": a short relative time in the current language. */
export function ago(iso: string | null | undefined, now: number): string {
  if (!iso) return t('time.never')
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000))
  if (s < 60) return t('time.secondsAgo', { n: s })
  if (s < 3600) return t('time.minutesAgo', { n: Math.floor(s / 60) })
  if (s < 86400) return t('time.hoursAgo', { n: Math.floor(s / 3600) })
  return t('time.daysAgo', { n: Math.floor(s / 86400) })
}

/** An RFC 3339 time as the reader's local date and time. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—'
  return new Date(iso).toLocaleString(locale.value, { hour12: false })
}
