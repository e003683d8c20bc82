import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { marked } from 'marked';

/**
 * Sharing in a real browser over the seeded fixture sweep (tests/e2e/seed-store.ts): the sender picks a
 * metric and a cell on the viewer and copies the Markdown; a fresh browser context opens the link and sees the same
 * view; the snippet rendered as Markdown shows the heatmap image; the viewer reads without JavaScript.
 */
function fixtureSweepId(): string {
  const dir = process.env.ATLAS_E2E_DATA;
  if (!dir) throw new Error('ATLAS_E2E_DATA is not set (playwright.config.ts sets it)');
  return (JSON.parse(readFileSync(path.join(dir, 'e2e-fixture.json'), 'utf8')) as { sweepId: string }).sweepId;
}

const CELL = 'e01-w000016-s1'; // trained in the fixture

test('a copied viewer link restores the sender’s metric and selected cell in a fresh context', async ({ browser }) => {
  const id = fixtureSweepId();
  const sender = await browser.newContext();
  const page = await sender.newPage();
  await page.goto(`/s/${id}`);
  await expect(page.locator('svg.heatmap rect.cell')).toHaveCount(12);
  await page.getByRole('navigation', { name: 'metric' }).getByRole('link', { name: 'final test accuracy' }).click();
  await expect(page.getByTestId('share-viewer')).toHaveAttribute('data-metric', 'finalTestAcc');
  await page.locator(`svg.heatmap rect.cell[data-cell-id="${CELL}"]`).click();
  await expect(page).toHaveURL(new RegExp(`cells=${CELL}`));
  await expect(page.getByTestId('selected-cell')).toHaveAttribute('data-cell-id', CELL);
  await page.getByTestId('copy-markdown').click();
  // The snippet switches to the short link once it is stored.
  // The claim checks read without JavaScript too; the fixture sweep is still running, so P1 waits for its cells.
  const p1 = page.getByTestId('share-findings').locator('[data-testid="finding"][data-claim="P1"]');
  await expect(p1).toHaveAttribute('data-status', 'pending');
  await expect(p1.locator('.finding-summary')).toHaveText(
    /^\d+ of 12 cells have not finished; the check runs when they have\.$/,
  );
  await expect(page.getByTestId('markdown-snippet')).toHaveValue(/\]\(http:\/\/127\.0\.0\.1:\d+\/s\/[0-9a-z]{12}\)$/);
  const snippet = await page.getByTestId('markdown-snippet').inputValue();
  const m = /^\[!\[(.+)\]\((.+)\)\]\((.+)\)$/.exec(snippet);
  expect(m).not.toBeNull();
  const [, title, svgUrl, viewerUrl] = m ?? [];
  expect(title).toBe('FCN-3-64 SP mse · SGD · final test accuracy');
  expect(svgUrl).toContain(`/api/sweeps/${id}/heatmap.svg?metric=finalTestAcc&cells=${CELL}`);
  await sender.close();

  const receiver = await browser.newContext();
  const view = await receiver.newPage();
  await view.goto(viewerUrl ?? '');
  await expect(view.getByTestId('share-viewer')).toHaveAttribute('data-metric', 'finalTestAcc');
  await expect(view.getByTestId('current-metric')).toHaveText('final test accuracy');
  await expect(view.locator('rect.cell--selected')).toHaveAttribute('data-cell-id', CELL);
  await expect(view.getByTestId('selected-cell')).toHaveAttribute('data-cell-id', CELL);
  await expect(view.getByTestId('selected-cell-state')).toHaveText('trained');
  await view.screenshot({ path: test.info().outputPath('share-viewer.png') });
  // The receiver can go on from there: keyboard selection as on the Sweep page, the URL follows.
  await view.locator('svg.heatmap').focus();
  await view.keyboard.press('Escape');
  await expect(view.locator('rect.cell--selected')).toHaveCount(0);
  await expect(view).toHaveURL(new RegExp(`/s/${id}\\?metric=finalTestAcc$`));
  await view.keyboard.press('ArrowRight');
  await view.keyboard.press('Enter');
  await expect(view.getByTestId('selected-cell')).toHaveCount(1);
  await expect(view).toHaveURL(/cells=e\d\d-w\d{6}-s1/);

  // A Markdown preview of the snippet: a link to the viewer around the heatmap image, which loads at 720×540.
  const html = marked.parse(snippet, { async: false });
  await view.setContent(`<!doctype html><body>${html}</body>`);
  await expect(view.locator('a')).toHaveAttribute('href', viewerUrl ?? '');
  const img = view.locator('a > img');
  await expect(img).toHaveAttribute('alt', title ?? '');
  await expect
    .poll(() =>
      img.evaluate((el: HTMLImageElement) => (el.complete ? `${el.naturalWidth}x${el.naturalHeight}` : 'loading')),
    )
    .toBe('720x540');
  await view.screenshot({ path: test.info().outputPath('markdown-preview.png') });
  await receiver.close();
});

test('the viewer reads without JavaScript and carries link-preview tags', async ({ browser, request }) => {
  const id = fixtureSweepId();
  const url = `/s/${id}?metric=finalTestAcc&cells=${CELL}`;
  const raw = await request.get(url);
  expect(raw.status()).toBe(200);
  expect(raw.headers()['cache-control']).toBe('public, max-age=0, s-maxage=5, stale-while-revalidate=25'); // the fixture sweep is still running
  const text = await raw.text();
  expect(
    text.match(/<rect class="cell cell--[a-z]+[^"]*" data-key="\d+:\d+" data-cell-id="e\d\d-w\d{6}-s1"/g),
  ).toHaveLength(12);
  expect(text).toContain('<meta property="og:title" content="FCN-3-64 SP mse · SGD · final test accuracy"/>');
  expect(text).toMatch(
    /<meta property="og:image" content="http:\/\/127\.0\.0\.1:\d+\/api\/sweeps\/[^"]+\/og\.png\?metric=finalTestAcc&amp;cells=e01-w000016-s1"\/>/,
  );
  expect(text).toContain('<meta name="twitter:card" content="summary_large_image"/>');

  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(url);
  await expect(page.locator('svg.heatmap rect.cell')).toHaveCount(12);
  await expect(page.locator('rect.cell--diverged')).toHaveCount(3);
  await expect(page.locator('rect.cell--selected')).toHaveAttribute('data-cell-id', CELL);
  await expect(page.getByTestId('selected-cell')).toContainText(CELL);
  await expect(page.getByTestId('markdown-snippet')).toHaveValue(
    new RegExp(
      `^\\[!\\[FCN-3-64 SP mse · SGD · final test accuracy\\]\\(http://127.0.0.1:\\d+/api/sweeps/${id}/heatmap.svg`,
    ),
  );
  // Metric links work as plain links.
  await page.getByRole('navigation', { name: 'metric' }).getByRole('link', { name: 'best train loss' }).click();
  await expect(page).toHaveURL(/metric=bestTrainLoss/);
  await expect(page.getByTestId('current-metric')).toHaveText('best train loss');
  const ogUrl = /<meta property="og:image" content="([^"]+)"/.exec(text)?.[1]?.replace(/&amp;/g, '&') ?? '';
  const og = await request.get(ogUrl);
  expect(og.headers()['content-type']).toBe('image/png');
  expect(og.headers()['x-image-size']).toBe('1200x630');
  await ctx.close();
});
