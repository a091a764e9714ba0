// The dashboard's figures against a running rpad holding ROBOTS robots (bench/run starts it):
//   - JavaScript and CSS the first page loads, and what the designer adds, as sent (gzip);
//   - navigation to the first row of the robots table;
//   - frame times in the page (requestAnimationFrame) while LOAD sends heartbeats.
// Prints one line of key=value figures.
import { spawn } from 'node:child_process'
import { test, expect, type Page } from '@playwright/test'

const server = process.env.SERVER!
const token = process.env.TOKEN!
const load = process.env.LOAD!
const seconds = Number(process.env.SECONDS ?? 10)

/** Bytes of scripts and styles as they came over the wire, from navigation to now. */
async function sent(page: Page, since = 0) {
  return page.evaluate((since) => {
    let bytes = 0
    for (const e of performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      if (e.startTime >= since && /\.(js|css)$/.test(new URL(e.name).pathname)) bytes += e.encodedBodySize
    return bytes
  }, since)
}

test('dashboard figures', async ({ page }) => {
  await page.addInitScript((t) => sessionStorage.setItem('rpa.token', t), token)
  await page.goto(server + '/robots')
  await page.locator('[data-row]').first().waitFor()
  const firstRowMs = await page.evaluate(() => performance.now())
  const firstPageJs = await sent(page)
  await expect(page.getByTestId('counts')).toContainText(`${process.env.ROBOTS}`)

  // Frames while heartbeats arrive: every robot's row may change, the visible ones repaint.
  const seqOf = async () => Number((await page.getByTestId('ws').getAttribute('title'))?.match(/#(\d+)/)?.[1] ?? 0)
  const seqBefore = await seqOf()
  await page.evaluate(() => {
    const w = window as any
    w.frames_ms = []
    let last = performance.now()
    const tick = (now: number) => {
      w.frames_ms.push(now - last)
      last = now
      if (!w.stop_frames) requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })
  const loadProc = spawn('sh', ['-c', load], { stdio: 'ignore' })
  await new Promise((r) => setTimeout(r, seconds * 1000))
  loadProc.kill('SIGTERM')
  const frames: number[] = await page.evaluate(() => {
    const w = window as any
    w.stop_frames = true
    return w.frames_ms
  })
  const events = (await seqOf()) - seqBefore
  frames.sort((a, b) => a - b)
  const p = (q: number) => frames[Math.min(frames.length - 1, Math.floor(q * frames.length))]

  // Scrolling through the 10,000 rows, 300 px a frame for 3 s, while nothing else happens.
  const scrolled: number[] = await page.evaluate(
    () =>
      new Promise<number[]>((resolve) => {
        const box = document.querySelector('.viewport') as HTMLElement
        const deltas: number[] = []
        const start = performance.now()
        let last = start
        const tick = (now: number) => {
          deltas.push(now - last)
          last = now
          box.scrollTop = (box.scrollTop + 300) % box.scrollHeight
          if (now - start < 3000) requestAnimationFrame(tick)
          else resolve(deltas)
        }
        requestAnimationFrame(tick)
      }),
  )
  scrolled.sort((a, b) => a - b)
  const scrollP99 = scrolled[Math.min(scrolled.length - 1, Math.floor(0.99 * scrolled.length))]

  const before = await page.evaluate(() => performance.now())
  await page.click('a[href="/designer"]')
  await page.locator('.vue-flow').first().waitFor()
  const designerJs = await sent(page, before)
  console.log(
    `dashboard first_row_ms=${firstRowMs.toFixed(0)} first_page_js_gz=${firstPageJs} designer_js_gz=${designerJs}` +
      ` events=${events} frames=${frames.length} frame_p50_ms=${p(0.5).toFixed(1)} frame_p99_ms=${p(0.99).toFixed(1)} frame_max_ms=${frames[frames.length - 1].toFixed(1)}` +
      ` scroll_frames=${scrolled.length} scroll_p99_ms=${scrollP99.toFixed(1)}`,
  )
})
