import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';

/**
 * Every page with the keyboard alone: Tab reaches the controls in reading order, each focused control shows
 * a visible focus outline, and the heatmap (arrows, Enter, Shift+Enter, Escape), the step slider (arrows, Home, End),
 * the log-x toggle and the comparison's remove buttons work from the keyboard. Runs over the seeded fixture sweep.
 */
function fixtureSweepId(): string {
  const dir = process.env.ATLAS_E2E_DATA;
  if (!dir) throw new Error('ATLAS_E2E_DATA is not set (playwright.config.ts sets it)');
  return (JSON.parse(readFileSync(path.join(dir, 'e2e-fixture.json'), 'utf8')) as { sweepId: string }).sweepId;
}

interface Focused {
  tag: string;
  name: string;
  outlineStyle: string;
  outlineWidth: number;
}

/** The focused element: tag, accessible-ish name (aria-label, then its label's leading text, then its text) and outline. */
async function focused(page: Page): Promise<Focused | null> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const cs = getComputedStyle(el);
    const labelled = (el as HTMLInputElement).labels?.[0];
    const labelText = labelled ? (labelled.firstChild?.textContent ?? '') : '';
    const name =
      (el.getAttribute('aria-label') ?? labelText ?? '').trim() || (el.textContent ?? '').trim().slice(0, 60);
    return {
      tag: el.tagName.toLowerCase(),
      name,
      outlineStyle: cs.outlineStyle,
      outlineWidth: Number.parseFloat(cs.outlineWidth),
    };
  });
}

/** Press Tab `n` times from the top of the page, recording each focused element. */
async function tabThrough(page: Page, n: number): Promise<Focused[]> {
  const seen: Focused[] = [];
  for (let i = 0; i < n; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (f) seen.push(f);
  }
  return seen;
}

/** Press Tab until the focused element's name matches, at most `max` times. */
async function tabTo(page: Page, name: RegExp, max = 40): Promise<Focused> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (f && name.test(f.name)) return f;
  }
  throw new Error(`Tab never reached ${name}`);
}

function indexOf(seen: readonly Focused[], name: RegExp): number {
  return seen.findIndex((f) => name.test(f.name));
}

function expectVisibleFocus(seen: readonly Focused[]): void {
  for (const f of seen) {
    expect.soft(f.outlineStyle, `${f.tag} "${f.name}" outline`).not.toBe('none');
    expect.soft(f.outlineWidth, `${f.tag} "${f.name}" outline width`).toBeGreaterThanOrEqual(2);
  }
}

test('sweeps page: Tab order nav → launch → filters → sweep link, visible focus, Enter opens the sweep', async ({
  page,
}) => {
  await page.goto('/');
  await expect(page.getByTestId('sweep-row').first()).toBeVisible();
  const seen = await tabThrough(page, 14);
  const order = [/^Sweeps$/, /^Launch$/, /^Launch a sweep$/, /^Status/, /^Optimizer/, /^Fixture: FCN SGD P1 shape/].map(
    (re) => indexOf(seen, re),
  );
  expect(
    order.every((i) => i >= 0),
    JSON.stringify(seen.map((f) => f.name)),
  ).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
  expectVisibleFocus(seen);
  await page.keyboard.press('Shift+Tab');
  await tabTo(page, /^Fixture: FCN SGD P1 shape/);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/sweeps/${fixtureSweepId()}`));
  await expect(page.locator('svg.heatmap rect.cell')).toHaveCount(12);
});

test('sweep page: heatmap arrows/Enter/Shift+Enter/Escape, step slider, log-x and compare remove by keyboard', async ({
  page,
}) => {
  await page.goto(`/sweeps/${fixtureSweepId()}`);
  await expect(page.locator('svg.heatmap rect.cell')).toHaveCount(12);
  const seen = await tabThrough(page, 12);
  const metricAt = indexOf(seen, /^metric$/);
  const scaleAt = indexOf(seen, /^colour scale$/);
  const heatmapAt = indexOf(seen, /^Heatmap of /);
  const stepAt = indexOf(seen, /^step$/);
  expect(
    [metricAt, scaleAt, heatmapAt, stepAt].every((i) => i >= 0),
    JSON.stringify(seen.map((f) => f.name)),
  ).toBe(true);
  expect(metricAt).toBeLessThan(scaleAt);
  expect(scaleAt).toBeLessThan(heatmapAt);
  expect(heatmapAt).toBeLessThan(stepAt);
  expectVisibleFocus(seen);

  // Back to the heatmap: focusing it focuses the top-left cell (largest T_wrm, smallest η) with a dashed ring.
  await page.locator('svg.heatmap').focus();
  await expect(page.locator('rect.cell--focused')).toHaveAttribute('data-key', '0:2');
  await expect(page.locator('svg.heatmap .focus-ring')).toHaveCount(1);
  await expect(page.locator('.cell-info')).toContainText('T_wrm = 128');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/cells=e00-w000128-s1(&|$)/);
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('rect.cell--focused')).toHaveAttribute('data-key', '1:2');
  await page.keyboard.press('Shift+Enter');
  await expect(page).toHaveURL(/cells=e00-w000128-s1%2Ce01-w000128-s1/);
  await expect(page.getByTestId('selected-cell')).toHaveCount(2);
  // Shift+Enter again toggles the compared cell off, and back on.
  await page.keyboard.press('Shift+Enter');
  await expect(page.getByTestId('selected-cell')).toHaveCount(1);
  await page.keyboard.press('Shift+Enter');
  await expect(page.getByTestId('selected-cell')).toHaveCount(2);

  // Step slider: from the heatmap, Tab reaches it; ArrowLeft steps back from "final", Home goes to the first step.
  const slider = await tabTo(page, /^step$/, 5);
  expect(slider.outlineStyle).not.toBe('none');
  await expect(page.getByLabel('step shown')).toHaveText('final');
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByLabel('step shown')).toHaveText(/^step \d+$/);
  await expect(page).toHaveURL(/step=\d+/);
  await page.keyboard.press('Home');
  await expect(page.getByLabel('step shown')).toHaveText(/^step [01]$/);
  await page.keyboard.press('End');
  await expect(page.getByLabel('step shown')).toHaveText('final');

  // log-x toggle with Space.
  const logx = await tabTo(page, /^log-x$/, 5);
  expect(logx.outlineStyle).not.toBe('none');
  await page.keyboard.press('Space');
  await expect(page).toHaveURL(/logx=1/);
  await expect(page.getByLabel('log-x')).toBeChecked();

  // Remove the second compared cell with its button.
  const remove = await tabTo(page, /^Remove cell 2 from the comparison$/, 5);
  expect(remove.outlineStyle).not.toBe('none');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('selected-cell')).toHaveCount(1);
  await expect(page).toHaveURL(/cells=e00-w000128-s1(&|$)/);

  // Escape on the heatmap clears the selection.
  await page.locator('svg.heatmap').focus();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('selected-cell')).toHaveCount(0);
  await expect(page).not.toHaveURL(/cells=/);
  await page.screenshot({ path: test.info().outputPath('keyboard-sweep.png') });
});

test('launch page: Tab reaches every field and the Launch button with visible focus; typing edits the spec', async ({
  page,
}) => {
  await page.goto('/launch');
  await expect(page.getByTestId('estimate')).toContainText('cells');
  const title = await tabTo(page, /^Title$/);
  expect(title.tag).toBe('input');
  await page.keyboard.type(' by keyboard');
  await expect(page.getByLabel('Title')).toHaveValue(/ by keyboard$/);
  const seen = await tabThrough(page, 80);
  expectVisibleFocus(seen);
  for (const name of [/^Dataset$/, /^Width$/, /^Steps$/, /^Batch size$/, /^η_trgt grid$/, /^T_wrm values$/])
    expect(indexOf(seen, name), String(name)).toBeGreaterThanOrEqual(0);
  expect(seen.some((f) => f.tag === 'button' && /^Launch$/.test(f.name))).toBe(true);
  // Tab order follows the form: the data fields come before the grid and the grid before the Launch button.
  expect(indexOf(seen, /^Dataset$/)).toBeLessThan(indexOf(seen, /^T_wrm values$/));
  expect(indexOf(seen, /^T_wrm values$/)).toBeLessThan(
    seen.findIndex((f) => f.tag === 'button' && /^Launch$/.test(f.name)),
  );
});
