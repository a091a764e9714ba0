import { createRouter, createWebHistory } from 'vue-router'
import { useSession } from './stores/session'

// Every page but the robots table loads on first visit; the graph pages bring Vue Flow.
export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', redirect: '/robots' },
    { path: '/login', component: () => import('./pages/LoginPage.vue'), meta: { public: true } },
    { path: '/robots', component: () => import('./pages/RobotsPage.vue') },
    { path: '/robots/:id', component: () => import('./pages/RobotPage.vue'), props: true },
    { path: '/runs', component: () => import('./pages/RunsPage.vue') },
    { path: '/runs/:id', component: () => import('./pages/RunPage.vue'), props: true },
    { path: '/flows', component: () => import('./pages/FlowsPage.vue') },
    { path: '/flows/:name', component: () => import('./pages/FlowPage.vue'), props: true },
    { path: '/designer', component: () => import('./pages/DesignerPage.vue') },
    { path: '/designer/:name', component: () => import('./pages/DesignerPage.vue'), props: true },
    { path: '/admin', redirect: '/admin/users' },
    { path: '/admin/tenants', component: () => import('./pages/admin/TenantsPage.vue') },
    { path: '/admin/users', component: () => import('./pages/admin/UsersPage.vue') },
    { path: '/admin/tokens', component: () => import('./pages/admin/TokensPage.vue') },
    { path: '/admin/secrets', component: () => import('./pages/admin/SecretsPage.vue') },
    { path: '/admin/webhooks', component: () => import('./pages/admin/WebhooksPage.vue') },
    { path: '/admin/webhooks/:name', component: () => import('./pages/admin/WebhookPage.vue'), props: true },
    { path: '/admin/audit', component: () => import('./pages/admin/AuditPage.vue') },
    { path: '/:rest(.*)*', component: () => import('./pages/NotFoundPage.vue') },
  ],
})

router.beforeEach(async (to) => {
  const session = useSession()
  if (to.meta.public) return true
  if (!session.token) return { path: '/login', query: { next: to.fullPath } }
  if (!session.me) {
    try {
      await session.load()
    } catch {
      session.signOut(false)
      return { path: '/login', query: { next: to.fullPath } }
    }
  }
  return true
})
