import AxeBuilder from '@axe-core/playwright';
import { expect, test, type FileChooser, type Page } from '@playwright/test';
import { digitPng, mnistDigit, tinyPhotoPng as photoPng } from './test-data';

/**
 * Accessibility: axe-core (WCAG 2.x A/AA rules) finds no serious or critical
 * violation on either panel, empty, with results and with an error shown; and
 * the app works from the keyboard alone (Tab order, visible focus, settings,
 * upload through the file chooser, starting a dream). WASM backend, tiny images.
 */

async function seriousViolations(page: Page, include?: string) {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']);
  if (include) builder = builder.include(include);
  const { violations } = await builder.analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(' | ')}`);
}

async function openApp(page: Page) {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend-badge')).toHaveText('wasm', { timeout: 90_000 });
}

/** Presses Tab until `testId` has focus (at most `limit` times); returns the test ids and names met on the way. */
/**
 * Opens the focused upload button's chooser with `key`. Headless Chromium now and then
 * drops the first key's chooser (no dialog event), so the key is tried up to three times,
 * each with a short wait; a real failure to open still fails the test.
 */
async function openChooserByKeyboard(page: Page, key: 'Enter' | 'Space' = 'Enter'): Promise<FileChooser> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const chooser = page.waitForEvent('filechooser', { timeout: 10_000 }).catch(() => null);
    await page.keyboard.press(key);
    const opened = await chooser;
    if (opened) return opened;
  }
  throw new Error(`the focused upload button never opened its chooser on ${key}`);
}

async function tabTo(page: Page, testId: string, limit = 60): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return { id: el?.dataset.testid ?? '', tag: el?.tagName.toLowerCase() ?? '', name: el?.getAttribute('aria-label') ?? el?.textContent?.trim().slice(0, 30) ?? '' };
    });
    seen.push(info.id || `${info.tag}:${info.name}`);
    if (info.id === testId) return seen;
  }
  throw new Error(`Tab never reached ${testId}; focus went through ${seen.join(', ')}`);
}

/** Whether the focused element (or, for a visually hidden file input, what stands for it) shows a focus outline. */
async function focusIsVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return false;
    const shows = (e: Element | null) => {
      if (!e) return false;
      const s = getComputedStyle(e);
      return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    };
    if (shows(el)) return true;
    // A visually hidden input shows its focus on its label or the hint beside it.
    const label = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null;
    return shows(label) || shows(el.nextElementSibling) || shows(el.closest('label'));
  });
}

test.describe('Accessibility', () => {
  test('axe: no serious or critical violations on the Explain panel, empty, with a result and with an error', async ({ page }) => {
    await openApp(page);
    expect(await seriousViolations(page), 'Explain, empty').toEqual([]);

    await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(3));
    await page.waitForFunction(() => !!window.__dreamlift?.explain().result && window.__dreamlift.explain().status === 'idle', undefined, { timeout: 90_000 });
    expect(await seriousViolations(page), 'Explain, with a result').toEqual([]);

    await page.getByTestId('explain-upload').setInputFiles({ name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('not a png') });
    await expect(page.getByTestId('error-message').first()).toBeVisible({ timeout: 30_000 });
    expect(await seriousViolations(page), 'Explain, with an error').toEqual([]);
  });

  test('axe: no serious or critical violations on the Dream panel, empty, with a result and with an error', async ({ page }) => {
    await openApp(page);
    await page.getByTestId('tab-dream').click();
    expect(await seriousViolations(page), 'Dream, empty').toEqual([]);

    await page.getByTestId('max-side-select').selectOption('64');
    await page.getByTestId('dream-upload').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: photoPng(64, 48) });
    await expect(page.getByTestId('photo-info')).toContainText('64');
    for (const [id, v] of [['octaves-input', '1'], ['steps-input', '1']] as const) {
      await page.getByTestId(id).fill(v);
      await page.getByTestId(id).blur();
    }
    await page.getByTestId('dream-start').click();
    await page.waitForFunction(() => window.__dreamlift?.dream().status === 'done', undefined, { timeout: 120_000 });
    expect(await seriousViolations(page), 'Dream, with a result').toEqual([]);

    await page.getByTestId('dream-upload').setInputFiles({ name: 'broken.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a jpeg') });
    await expect(page.getByTestId('error-message').first()).toBeVisible({ timeout: 30_000 });
    expect(await seriousViolations(page), 'Dream, with an error').toEqual([]);
  });

  test('keyboard only: Tab reaches every Explain control with visible focus, changes a setting, uploads a digit', async ({ page }) => {
    await openApp(page);
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    const order: string[] = [];
    for (const id of ['tab-explain', 'rule-select', 'target-select', 'contrast-select', 'reference-select', 'draw-canvas', 'draw-clear', 'explain-upload-button']) {
      order.push(...(await tabTo(page, id)));
      expect(await focusIsVisible(page), `visible focus on ${id}`).toBe(true);
    }
    // The canvas tells keyboard users what to do instead of drawing.
    const description = await page.getByTestId('draw-canvas').evaluate((el) =>
      (el.getAttribute('aria-describedby') ?? '').split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' '),
    );
    expect(description).toMatch(/upload|paste/i);

    // The focus is on the visible button itself (its own ring), not on a hidden input or the hint beside it.
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('BUTTON');
    // Upload with the keyboard: the focused (visible) button opens the chooser on Enter and on Space.
    await (await openChooserByKeyboard(page, 'Space')).setFiles({ name: 'one.png', mimeType: 'image/png', buffer: digitPng(mnistDigit(1)) });
    await page.waitForFunction(() => window.__dreamlift?.explain().result?.predicted === 1 && window.__dreamlift.explain().status === 'idle', undefined, { timeout: 90_000 });
    await page.getByTestId('explain-upload-button').focus();
    await (await openChooserByKeyboard(page, 'Enter')).setFiles({ name: 'seven.png', mimeType: 'image/png', buffer: digitPng(mnistDigit(7)) });
    await page.waitForFunction(() => window.__dreamlift?.explain().result?.predicted === 7 && window.__dreamlift.explain().status === 'idle', undefined, { timeout: 90_000 });

    // Change the rule with the keyboard; the explanation follows.
    await page.getByTestId('rule-select').focus();
    await page.keyboard.press('ArrowDown');
    await expect(page.getByTestId('rule-select')).toHaveValue('revealcancel');
    await page.waitForFunction(() => window.__dreamlift?.explain().settings.rule === 'revealcancel' && window.__dreamlift.explain().status === 'idle', undefined, { timeout: 90_000 });
    await expect(page.getByTestId('sum-readout')).toBeVisible();
  });

  test('keyboard only: open the Dream tab, pick a photo and start a dream', async ({ page }) => {
    await openApp(page);
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    await tabTo(page, 'tab-dream');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('tab-dream')).toHaveAttribute('aria-selected', 'true');

    await tabTo(page, 'max-side-select');
    expect(await focusIsVisible(page)).toBe(true);
    await page.keyboard.press('Home');
    await expect(page.getByTestId('max-side-select')).toHaveValue('64');

    await page.getByTestId('tab-dream').focus();
    await tabTo(page, 'dream-upload-button');
    expect(await focusIsVisible(page), 'visible focus on the photo picker').toBe(true);
    await (await openChooserByKeyboard(page, 'Space')).setFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: photoPng(64, 48) });
    await expect(page.getByTestId('photo-info')).toContainText('64');

    for (const [id, value] of [['octaves-input', '1'], ['steps-input', '2']] as const) {
      await page.getByTestId('tab-dream').focus();
      await tabTo(page, id);
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.type(value);
    }
    await page.getByTestId('tab-dream').focus();
    await tabTo(page, 'dream-start');
    expect(await focusIsVisible(page), 'visible focus on Start').toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__dreamlift?.dream().status === 'done', undefined, { timeout: 120_000 });
    const settings = await page.evaluate(() => window.__dreamlift!.dream().settings);
    expect([settings.octaves, settings.steps]).toEqual([1, 2]);
  });
});

/** Both themes (the light one follows prefers-color-scheme): axe clean on every tab, with results and a help note open. */
for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`Accessibility, ${colorScheme} theme`, () => {
    test.use({ colorScheme });
    test(`axe: no serious or critical violations on Explain, Compare, Dream and About in the ${colorScheme} theme`, async ({ page }) => {
      await openApp(page);
      const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      const [r, g, b] = background.match(/\d+/g)!.map(Number) as [number, number, number];
      expect((r + g + b) / 3 > 128, `page background ${background}`).toBe(colorScheme === 'light');

      await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(3));
      await page.waitForFunction(() => !!window.__dreamlift?.explain().result && window.__dreamlift.explain().status === 'idle', undefined, { timeout: 90_000 });
      const ruleHelp = page.getByRole('button', { name: /What is the rule/ });
      await ruleHelp.click();
      await expect(ruleHelp).toHaveAttribute('aria-expanded', 'true');
      expect(await seriousViolations(page), `Explain, ${colorScheme}`).toEqual([]);
      await page.keyboard.press('Escape');

      await page.getByTestId('tab-compare').click();
      await expect(page.getByTestId('compare-view')).toBeVisible();
      expect(await seriousViolations(page), `Compare, ${colorScheme}`).toEqual([]);

      await page.getByTestId('tab-dream').click();
      await page.getByTestId('max-side-select').selectOption('64');
      await page.getByTestId('dream-upload').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: photoPng(64, 48) });
      await expect(page.getByTestId('photo-info')).toContainText('64');
      await page.getByRole('button', { name: 'What is octaves?' }).click();
      expect(await seriousViolations(page), `Dream, ${colorScheme}`).toEqual([]);

      await page.getByTestId('tab-about').click();
      expect(await seriousViolations(page), `About, ${colorScheme}`).toEqual([]);
    });
  });
}
