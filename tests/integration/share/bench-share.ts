/**
 * Server-side timings of the sharing routes against a running `next start` on loopback (docs/BENCHMARKS.md):
 *   tsx tests/integration/share/bench-share.ts <base url> <ids.json from seed-cli.ts> [requests per URL, default 30]
 * Each URL is requested 3 times to warm up, then N times one after another; prints the median and 90th percentile
 * of the time to the last byte, the body bytes and their gzip size, and the same for a revalidation (If-None-Match).
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const [base, idsFile, nArg] = process.argv.slice(2);
if (!base || !idsFile) {
  console.error('usage: bench-share.ts <base url> <ids.json> [n]');
  process.exit(2);
}
const n = Number(nArg ?? 30);
const ids = JSON.parse(readFileSync(idsFile, 'utf8')) as Record<string, string>;

async function once(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ ms: number; bytes: Buffer; status: number; etag: string | null }> {
  const t0 = performance.now();
  const res = await fetch(url, { headers });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { ms: performance.now() - t0, bytes, status: res.status, etag: res.headers.get('etag') };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))] ?? NaN;
}

const q = 'metric=finalTrainLoss&cells=e01-w000016-s1';
const cases: [string, string][] = [];
for (const [name, id] of Object.entries(ids)) {
  cases.push([`${name} viewer HTML`, `/s/${id}?${q}`]);
  cases.push([`${name} heatmap.svg`, `/api/sweeps/${id}/heatmap.svg?${q}`]);
  cases.push([`${name} heatmap.png`, `/api/sweeps/${id}/heatmap.png?${q}`]);
  cases.push([`${name} og.png`, `/api/sweeps/${id}/og.png?${q}`]);
}

console.log(`| resource | status | median ms | p90 ms | bytes | gzip bytes | revalidation | median ms |`);
console.log(`|---|---|---|---|---|---|---|---|`);
for (const [name, path] of cases) {
  const url = `${base}${path}`;
  for (let i = 0; i < 3; i++) await once(url);
  const times: number[] = [];
  let last = await once(url);
  for (let i = 0; i < n; i++) {
    last = await once(url);
    times.push(last.ms);
  }
  let reval = '—';
  let revalMs = NaN;
  if (last.etag) {
    const rt: number[] = [];
    let status = 0;
    for (let i = 0; i < n; i++) {
      const r = await once(url, { 'if-none-match': last.etag });
      rt.push(r.ms);
      status = r.status;
    }
    reval = String(status);
    revalMs = quantile(rt, 0.5);
  }
  console.log(
    `| ${name} | ${last.status} | ${quantile(times, 0.5).toFixed(1)} | ${quantile(times, 0.9).toFixed(1)} | ${last.bytes.length} | ${gzipSync(last.bytes).length} | ${reval} | ${Number.isNaN(revalMs) ? '—' : revalMs.toFixed(1)} |`,
  );
}
