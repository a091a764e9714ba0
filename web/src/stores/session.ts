// Who is signed in. The session token lives in sessionStorage: per tab, gone with it, never a
// cookie another origin's request would carry.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, configureHttp, get } from '../api/http'
import type { LoginReply, Me } from '../api/types'

const kToken = 'rpa.token'
const kTenant = 'rpa.tenant'
const rank = { viewer: 0, operator: 1, admin: 2 } as const

export const useSession = defineStore('session', () => {
  const token = ref<string | null>(sessionStorage.getItem(kToken))
  const me = ref<Me | null>(null)
  /** A system admin may act in another tenant (?tenant=); everyone else acts in their own. */
  const actingTenant = ref<string | null>(sessionStorage.getItem(kTenant))
  let onSignedOut: () => void = () => {}

  configureHttp({
    token: () => token.value,
    tenant: () => (me.value?.system_admin && actingTenant.value !== me.value.tenant ? actingTenant.value : null),
    // Before `me` is loaded the router's guard is waiting on it and sends the tab to login.
    unauthorized: () => signOut(me.value !== null),
  })

  const tenant = computed(() => actingTenant.value ?? me.value?.tenant ?? '')
  const roleRank = computed(() => (me.value ? rank[me.value.role as keyof typeof rank] ?? 0 : -1))
  /** Operators and admins write flows and runs; viewers see no write action. */
  const canOperate = computed(() => roleRank.value >= rank.operator)
  const isAdmin = computed(() => roleRank.value >= rank.admin)
  const isSystemAdmin = computed(() => !!me.value?.system_admin)

  async function signIn(username: string, password: string, tenantName: string) {
    const body: Record<string, string> = { username, password }
    if (tenantName) body.tenant = tenantName
    const reply = await api<LoginReply>('POST', '/api/v1/auth/login', body)
    token.value = reply.access_token
    sessionStorage.setItem(kToken, reply.access_token)
    actingTenant.value = null
    sessionStorage.removeItem(kTenant)
    await load()
  }

  async function load() {
    if (!token.value) return
    me.value = await get<Me>('/api/v1/auth/me')
  }

  function signOut(navigate = true) {
    token.value = null
    me.value = null
    actingTenant.value = null
    sessionStorage.removeItem(kToken)
    sessionStorage.removeItem(kTenant)
    if (navigate) onSignedOut()
  }

  function actIn(name: string) {
    actingTenant.value = name
    sessionStorage.setItem(kTenant, name)
  }

  function whenSignedOut(f: () => void) {
    onSignedOut = f
  }

  return { token, me, tenant, canOperate, isAdmin, isSystemAdmin, signIn, load, signOut, actIn, whenSignedOut }
})
