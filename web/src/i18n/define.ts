/** One area's messages: `zh` must have exactly `en`'s keys (checked by the type checker). */
export function messages<K extends string>(en: Record<K, string>, zh: Record<K, string>) {
  return { en, zh }
}
