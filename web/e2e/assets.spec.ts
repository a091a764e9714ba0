import { test, expect } from './fixtures'

test('rpad serves the dashboard compressed, cached and under a strict CSP', async ({ rpad }) => {
  const index = await fetch(rpad.url + '/', { headers: { 'Accept-Encoding': 'gzip' } })
  expect(index.status).toBe(200)
  expect(index.headers.get('cache-control')).toBe('no-cache')
  expect(index.headers.get('content-security-policy')).toContain("script-src 'self'")
  const html = await index.text()
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1]
  expect(script, 'index.html loads a hashed script').toBeTruthy()
  const asset = await fetch(rpad.url + script!, { headers: { 'Accept-Encoding': 'gzip' } })
  expect(asset.headers.get('cache-control')).toContain('immutable')
  expect(asset.headers.get('content-encoding')).toBe('gzip')
  const etag = asset.headers.get('etag')!
  const again = await fetch(rpad.url + script!, { headers: { 'If-None-Match': etag } })
  expect(again.status).toBe(304)
  const deep = await fetch(rpad.url + '/flows/some-flow')
  expect(await deep.text()).toBe(html)
  const api = await fetch(rpad.url + '/api/v1/nothing-here')
  expect(api.status).toBe(404)
  expect(api.headers.get('content-type')).toContain('application/json')
})
