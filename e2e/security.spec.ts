/**
 * Security and privacy, end to end: the built app sets a strict
 * Content-Security-Policy (meta tag in index.html, header from the server), a
 * full session (draw, explain, upload, dream on WASM, download) triggers no CSP
 * violation, and no request leaves the app's origin or carries a body — the
 * user's photo and drawing never leave the device.
 */
import { expect, test, type Page } from '@playwright/test';
import { drawSeven, dreamToEnd, latestExplanation, tinyPhotoPng } from './helpers';

/** Directive name → its sources, from a policy string. */
function parsePolicy(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

function expectStrict(policy: string, where: string) {
  const csp = parsePolicy(policy);
  expect(csp.get('default-src'), where).toEqual(["'self'"]);
  // Scripts only from our origin (plus compiling our own WASM); nothing inline, no eval.
  expect(csp.get('script-src'), where).toEqual(["'self'", "'wasm-unsafe-eval'"]);
  expect(csp.get('worker-src'), where).toEqual(["'self'", 'blob:']);
  expect(csp.get('connect-src'), where).toEqual(["'self'"]);
  expect(csp.get('object-src'), where).toEqual(["'none'"]);
  expect(csp.get('base-uri'), where).toEqual(["'self'"]);
  expect(csp.get('form-action'), where).toEqual(["'none'"]);
  // No remote origin anywhere, no wildcard.
  for (const [name, sources] of csp) {
    for (const source of sources) {
      expect(source, `${where}: ${name}`).not.toMatch(/^(https?:|wss?:|\*|'unsafe-eval')/);
      expect(source, `${where}: ${name}`).not.toContain('*');
    }
  }
}

interface Recorded {
  url: string;
  method: string;
  hasBody: boolean;
  resourceType: string;
}

/** Records every request of the page and its workers, CSP violation events and CSP console messages. */
async function watchSession(page: Page) {
  const requests: Recorded[] = [];
  const cspMessages: string[] = [];
  const sockets: string[] = [];
  page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), hasBody: r.postDataBuffer() !== null, resourceType: r.resourceType() }));
  page.on('websocket', (ws) => sockets.push(ws.url()));
  const onConsole = (text: string) => {
    if (/content security policy|refused to/i.test(text)) cspMessages.push(text);
  };
  page.on('console', (m) => onConsole(m.text()));
  page.on('worker', (w) => w.on('console', (m) => onConsole(`[worker ${w.url()}] ${m.text()}`)));
  await page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      w.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  return { requests, cspMessages, sockets };
}

/** Draw and explain, upload a photo, dream it on WASM, download the result. */
async function fullSession(page: Page, photo: Buffer) {
  await page.goto('/?backend=wasm');
  await drawSeven(page);
  await expect(page.getByTestId('prediction')).toHaveText('7');
  await latestExplanation(page, 7);
  await page.getByTestId('tab-dream').click();
  await page.getByTestId('max-side-select').selectOption('64');
  await page.getByTestId('dream-upload').setInputFiles({ name: 'private.png', mimeType: 'image/png', buffer: photo });
  await expect(page.getByTestId('photo-info')).toContainText('64×48');
  await dreamToEnd(page, 1, 2);
  const download = page.waitForEvent('download');
  await page.getByTestId('dream-download').click();
  expect((await download).suggestedFilename()).toMatch(/\.png$/);
  // Let anything late (lazy chunks, sample thumbnails) arrive before judging.
  await page.waitForTimeout(1000);
}

test.describe('Security and privacy', () => {
  test('the built app sets a strict CSP (meta tag and header), enforced and observed', async ({ page, request }) => {
    const { cspMessages } = await watchSession(page);
    const response = await request.get('/');
    expect(response.ok()).toBe(true);
    const header = response.headers()['content-security-policy'];
    expect(header, 'Content-Security-Policy header').toBeTruthy();
    expectStrict(header!, 'header');
    expect(parsePolicy(header!).get('frame-ancestors')).toEqual(["'none'"]);

    await page.goto('/');
    const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(meta, 'CSP meta tag').toBeTruthy();
    expectStrict(meta!, 'meta');
    // The meta tag comes first in <head>, so it governs every script the page loads.
    expect(await page.evaluate(() => document.head.firstElementChild?.getAttribute('http-equiv'))).toBe('Content-Security-Policy');
    // And it is enforced: an inline script injected now does not run.
    const ran = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.head.append(s);
      return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
    });
    expect(ran).toBe(false);
    // The watchers used below do see a violation when there is one.
    await expect.poll(() => page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations.length)).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations[0])).toMatch(/^script-src/);
    await expect.poll(() => cspMessages.length).toBeGreaterThan(0);
  });

  test('a full session raises no CSP violation and nothing leaves the origin; the photo is never sent', async ({ page, baseURL }) => {
    const { requests, cspMessages, sockets } = await watchSession(page);
    const photo = tinyPhotoPng(64, 48);
    await fullSession(page, photo);

    const violations = await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
    expect(violations).toEqual([]);
    expect(cspMessages).toEqual([]);
    expect(sockets).toEqual([]);

    const origin = new URL(baseURL!).origin;
    expect(requests.length).toBeGreaterThan(5);
    // The session did load what it needed from our origin (including the workers' model files).
    expect(requests.some((r) => r.url.includes('/models/mnist/'))).toBe(true);
    expect(requests.some((r) => r.url.includes('/models/inception-mixed5/'))).toBe(true);
    const foreign = requests.filter((r) => !r.url.startsWith('blob:') && !r.url.startsWith('data:') && new URL(r.url).origin !== origin);
    expect(foreign, 'requests that left the origin').toEqual([]);
    const withBody = requests.filter((r) => r.method !== 'GET' || r.hasBody);
    expect(withBody, 'requests that could carry user data').toEqual([]);
  });
});
