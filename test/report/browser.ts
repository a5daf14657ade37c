/** Opens a report in headless Debian chromium (puppeteer-core, no download) and inspects it. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

export interface PageCheck {
  readonly consoleErrors: string[];
  readonly requests: string[];
  /** data-chart kind → marks drawn (elements with class `mark` and a non-empty box) per chart. */
  readonly charts: { kind: string; id: string; marks: number; width: number }[];
}

export async function inspectReport(htmlPath: string, screenshotPath?: string): Promise<PageCheck> {
  const profile = mkdtempSync(join(tmpdir(), 'edgeplan-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`],
  });
  try {
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('request', (r) => requests.push(r.url()));
    await page.setViewport({ width: 1000, height: 900 });
    await page.goto(`file://${htmlPath}`, { waitUntil: 'load' });
    const charts = await page.evaluate(() => [...document.querySelectorAll('svg.chart')].map((svg) => ({
      kind: svg.getAttribute('data-chart') ?? '',
      id: svg.id,
      width: svg.getBoundingClientRect().width,
      marks: [...svg.querySelectorAll('.mark')].filter((m) => {
        const b = (m as SVGGraphicsElement).getBBox();
        return b.width > 0 || b.height > 0;
      }).length,
    })));
    if (screenshotPath) await page.screenshot({ path: screenshotPath, fullPage: true });
    return { consoleErrors, requests, charts };
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
