// One ticking clock for every "12 s ago" on the page.
import { ref } from 'vue'

export const now = ref(Date.now())
setInterval(() => (now.value = Date.now()), 1000)
