// The API's shapes, generated from rpad's /api/v1/openapi.json into schema.d.ts (see
// scripts/web-api-types): the dashboard cannot drift from the API without failing to build.
import type { components } from './schema'

type S = components['schemas']
export type Me = S['Me']
export type Client = S['Client']
export type Flow = S['Flow']
export type FlowRevision = S['FlowRevision']
export type ApplyReply = S['ApplyReply']
export type Run = S['Run']
export type LogLine = S['LogLine']
export type LogPage = S['LogPage']
export type Tenant = S['Tenant']
export type User = S['User']
export type Token = S['Token']
export type AuditEntry = S['AuditEntry']
export type Secret = S['Secret']
export type Webhook = S['Webhook']
export type Delivery = S['Delivery']
export type LoginReply = S['LoginReply']

/** A list endpoint's answer: a page of items and the cursor of the next (null at the end). */
export interface Page<T> {
  items: T[]
  next_cursor?: string | null
}
