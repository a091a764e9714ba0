import { ref } from 'vue'

/** A page's busy flag and error around its API calls: `run` answers whether the call worked. */
export function useAction() {
  const busy = ref(false)
  const error = ref<string | null>(null)

  async function run(action: () => Promise<unknown>): Promise<boolean> {
    busy.value = true
    error.value = null
    try {
      await action()
      return true
    } catch (e) {
      error.value = (e as Error).message
      return false
    } finally {
      busy.value = false
    }
  }

  return { busy, error, run }
}
