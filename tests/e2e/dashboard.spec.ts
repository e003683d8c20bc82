import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';

/**
 * The dashboard in a real browser over the seeded fixture sweep (tests/e2e/seed-store.ts: 4 η × 3 T_wrm, three
 * diverged cells, one failed, one running, one queued, six trained) and a live worker for the launch test.
 */
function fixtureSweepId(): string {
  const dir = process.env.ATLAS_E2E_DATA;
  if (!dir) throw new Error('ATLAS_E2E_DATA is not set (playwright.config.ts sets it)');
  return (JSON.parse(readFileSync(path.join(dir, 'e2e-fixture.json'), 'utf8')) as { sweepId: string }).sweepId;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: test.info().outputPath(`${name}.png`) });
  await test.info().attach(name, { path: test.info().outputPath(`${name}.png`), contentType: 'image/png' });
}

test('sweeps list shows the fixture sweep with live status and filters', async ({ page }) => {
  await page.goto('/');
  const row = page.getByTestId('sweep-row').filter({ hasText: 'Fixture: FCN SGD P1 shape' });
  await expect(row).toBeVisible();
  await expect(row).toContainText('running');
  await expect(row).toContainText('10/12');
  await expect(row).toContainText('4 η × 3 T_wrm');
  await shot(page, 'sweeps-list');
  await page.getByLabel('Optimizer').selectOption('adam');
  await expect(page).toHaveURL(/optimizer=adam/);
  await expect(page.getByText('No sweeps match these filters.')).toBeVisible();
});

test('heatmap: cells with the right classes, boundary, keyboard selection, URL state survives reload', async ({
  page,
}) => {
  const id = fixtureSweepId();
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  const t0 = Date.now();
  await page.goto(`/sweeps/${id}`);
  const cells = page.locator('svg.heatmap rect.cell');
  await expect(cells).toHaveCount(12);
  test.info().annotations.push({ type: 'heatmap-visible-ms', description: String(Date.now() - t0) });
  await expect(page.locator('rect.cell--diverged')).toHaveCount(3);
  await expect(page.locator('rect.cell--failed')).toHaveCount(1);
  await expect(page.locator('rect.cell--running')).toHaveCount(1);
  await expect(page.locator('rect.cell--queued')).toHaveCount(1);
  await expect(page.locator('rect.cell--trained')).toHaveCount(6);
  // Diverged cells use the hatch pattern, never a colour of the scale.
  await expect(page.locator('rect.cell--diverged').first()).toHaveAttribute('fill', /url\(#hm-diverged\)/);
  await expect(page.locator('svg.heatmap path.boundary')).toHaveCount(1);

  // Keyboard: focus the heatmap (top-left cell = largest T_wrm, smallest η), move right then down, Enter selects.
  await page.locator('svg.heatmap').focus();
  await expect(page.locator('rect.cell--focused')).toHaveAttribute('data-key', '0:2');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('rect.cell--focused')).toHaveAttribute('data-key', '1:1');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/cells=e01-w000016-s1/);
  await expect(page.locator('rect.cell--selected')).toHaveAttribute('data-cell-id', 'e01-w000016-s1');
  await expect(page.getByTestId('selected-cell')).toContainText('T_wrm 16');
  await expect(page.getByTestId('cell-summary')).toContainText('trained');
  await expect(page.getByTestId('regime')).toContainText('C2');
  await expect(page.locator('svg.line-chart path.line').first()).toHaveAttribute('d', /^M/);
  // The warmup end (step 15) is drawn on the charts.
  await expect(page.locator('line.marker--warmup-end')).toHaveCount(5); // one per chart (no λ^{P⁻¹H} chart for SGD)

  // Change metric and colour scale; compare a second cell with Shift+Enter.
  await page.getByLabel('metric').selectOption('bestTestAcc');
  await expect(page).toHaveURL(/metric=bestTestAcc/);
  await page.locator('svg.heatmap').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+Enter');
  await expect(page).toHaveURL(/cells=e01-w000016-s1%2Ce02-w000016-s1/);
  await expect(page.getByTestId('selected-cell')).toHaveCount(2);
  await page.getByLabel('log-x').check();
  await expect(page).toHaveURL(/logx=1/);
  await shot(page, 'sweep-compare');

  await page.reload();
  await expect(page.getByLabel('metric')).toHaveValue('bestTestAcc');
  await expect(page.locator('rect.cell--selected')).toHaveCount(2);
  await expect(page.getByLabel('log-x')).toBeChecked();
  // The heatmap is server-rendered and hydrated: no hydration mismatch (or any other console error).
  expect(consoleErrors.filter((e) => !e.includes('favicon'))).toEqual([]);
});

test('the heatmap is in the server-rendered HTML (no client fetch before it draws)', async ({ request }) => {
  const html = await (await request.get(`/sweeps/${fixtureSweepId()}`)).text();
  expect(html.match(/class="cell cell--/g)?.length).toBe(12);
});

test('step slider redraws the heatmap from the progress histories', async ({ page }) => {
  await page.goto(`/sweeps/${fixtureSweepId()}?step=7`);
  // At step 7 only the cell that diverged at step 7 (η index 2, T_wrm 1) is diverged; η index 3 at T_wrm 1 diverges
  // at step 8 and at T_wrm 16 at step 20, so they were still training.
  await expect(page.locator('rect.cell--diverged')).toHaveCount(1);
  await expect(page.locator('rect.cell--diverged')).toHaveAttribute('data-cell-id', 'e02-w000001-s1');
  await expect(page.getByLabel('step shown')).toHaveText('step 7');
  await page.getByLabel('step', { exact: true }).focus();
  await page.keyboard.press('End');
  await expect(page.getByLabel('step shown')).toHaveText('final');
  await expect(page.locator('rect.cell--diverged')).toHaveCount(3);
});

test('copy link restores the same view in a new browser context', async ({ page, browser, baseURL }) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  await page.goto(`/sweeps/${fixtureSweepId()}`);
  await page.locator('rect.cell[data-cell-id="e03-w000128-s1"]').click();
  await page.getByLabel('colour scale').selectOption('linear');
  await expect(page).toHaveURL(/scale=linear/);
  await page.getByTestId('copy-link').click();
  await expect(page.getByText('Copied')).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toContain('cells=e03-w000128-s1');
  const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const p2 = await other.newPage();
  await p2.goto(link);
  await expect(p2.locator('rect.cell--selected')).toHaveAttribute('data-cell-id', 'e03-w000128-s1');
  await expect(p2.getByLabel('colour scale')).toHaveValue('linear');
  await expect(p2.getByTestId('cell-summary')).toContainText('failed');
  await other.close();
});

test('launch: inline field errors from the schema, estimate, then a tiny sweep trains on the worker; open a cell, change the metric, share the link', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(150_000);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  await page.goto('/launch');
  await expect(page.getByTestId('estimate')).toContainText('24 cells');
  await page.getByLabel('Width').fill('-3');
  await expect(page.locator('[data-field="model.width"]')).toContainText('>=1');
  await page.getByLabel('Width').fill('8');
  await expect(page.locator('[data-field="model.width"]')).toHaveCount(0);
  // A tiny sweep on synthetic data: 2 η × 1 T_wrm, 20 steps.
  await page.getByLabel('Title').fill('e2e tiny sweep');
  await page.getByLabel('Dataset').selectOption('synthetic-gmm');
  await page.getByLabel('Train subset').fill('');
  await page.getByLabel('Test subset').fill('');
  await page.getByLabel('Depth', { exact: false }).first().fill('2');
  await page.getByLabel('η_trgt grid').selectOption('explicit');
  await page.getByLabel('η values').fill('0.01, 0.05');
  await page.getByLabel('T_wrm values').fill('1');
  await page.getByLabel('Steps').fill('20');
  await page.getByLabel('Batch size').fill('32');
  await page.getByLabel('Test metrics every').fill('10');
  await page.getByLabel('λ^H every').fill('0');
  await page.getByLabel('Measure λ0 at init').uncheck();
  await expect(page.getByTestId('estimate')).toContainText('2 cells');
  await shot(page, 'launch-form');
  await page.getByRole('button', { name: 'Launch', exact: true }).click();
  await expect(page).toHaveURL(/\/sweeps\/sw/);
  await expect(page.locator('svg.heatmap rect.cell')).toHaveCount(2);

  // Watch the cells fill in: sample the heatmap's states until both cells are finished. The first samples must show
  // unfinished (queued/running) cells and the finished count must only grow, ending at 2 of 2.
  const finished = 'rect.cell--trained, rect.cell--failed, rect.cell--diverged';
  const samples: { unfinished: number; finished: number }[] = [];
  const deadline = Date.now() + 90_000;
  for (;;) {
    const unfinished = await page.locator('rect.cell--queued, rect.cell--running').count();
    const done = await page.locator(finished).count();
    if (
      samples.length === 0 ||
      samples[samples.length - 1]?.finished !== done ||
      samples[samples.length - 1]?.unfinished !== unfinished
    )
      samples.push({ unfinished, finished: done });
    if (samples.length === 1) await shot(page, 'launched-sweep-filling');
    if (done === 2 || Date.now() > deadline) break;
    await page.waitForTimeout(250);
  }
  test.info().annotations.push({ type: 'fill-in samples', description: JSON.stringify(samples) });
  expect(samples[0]?.unfinished).toBeGreaterThan(0);
  expect(samples.map((x) => x.finished)).toEqual([...samples.map((x) => x.finished)].sort((a, b) => a - b));
  await expect(page.locator(finished)).toHaveCount(2);
  await expect(page.getByText('2/2 cells finished')).toBeVisible();
  await shot(page, 'launched-sweep');

  // Click a cell: its curves appear (train loss has a drawn line) and the URL names it.
  const first = page.locator('svg.heatmap rect.cell').first();
  const cellId = await first.getAttribute('data-cell-id');
  expect(cellId).toMatch(/^e0[01]-w000001-s1$/);
  await first.click();
  await expect(page).toHaveURL(new RegExp(`cells=${cellId ?? ''}`));
  await expect(page.getByTestId('selected-cell')).toHaveCount(1);
  await expect(page.getByTestId('selected-cell')).toContainText('T_wrm 1');
  await expect(page.getByTestId('cell-summary')).toContainText(/Outcome (trained|failed|diverged) at step \d+/);
  await expect(page.locator('svg.line-chart path.line').first()).toHaveAttribute(
    'd',
    /^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){5,}/,
  );
  await shot(page, 'launched-cell-curves');

  // Change the metric: URL and legend title follow.
  await page.getByLabel('metric').selectOption('bestTestAcc');
  await expect(page).toHaveURL(/metric=bestTestAcc/);
  await expect(page.locator('svg.heatmap .legend > text').first()).toContainText('test acc');

  // Copy the link and open it in a new browser context: same metric, same selected cell, its curves drawn.
  await page.getByTestId('copy-link').click();
  await expect(page.getByText('Copied')).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toBe(page.url());
  const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const p2 = await other.newPage();
  await p2.goto(link);
  await expect(p2.getByLabel('metric')).toHaveValue('bestTestAcc');
  await expect(p2.locator('rect.cell--selected')).toHaveAttribute('data-cell-id', cellId ?? '');
  await expect(p2.getByTestId('selected-cell')).toHaveCount(1);
  await expect(p2.locator('svg.line-chart path.line').first()).toHaveAttribute('d', /^M/);
  await expect(p2.locator('svg.heatmap .legend > text').first()).toHaveText(
    (await page.locator('svg.heatmap .legend > text').first().textContent()) ?? '',
  );
  await p2.screenshot({ path: test.info().outputPath('shared-link-new-context.png') });
  await test.info().attach('shared-link-new-context', {
    path: test.info().outputPath('shared-link-new-context.png'),
    contentType: 'image/png',
  });
  await other.close();
});
