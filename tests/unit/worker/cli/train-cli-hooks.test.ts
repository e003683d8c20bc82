import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { MetricRowSchema, RunResultSchema } from '../../../../server/core/metrics';
import { parseRecord } from '../../../../server/core/json-number';
import { runTrainCli } from '../../../../worker/cli/train-cli';

const dir = mkdtempSync(path.join(tmpdir(), 'atlas-train-cli-hooks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stream that keeps what is written to it. */
function collect(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe('runTrainCli and the curvature hooks', () => {
  it('passes them to the run itself: --eta-init critical, --sharpness-every and --lambda0 need no registration', async () => {
    const out = collect();
    const err = collect();
    const flags = ['--dataset', 'synthetic-gmm', '--model', 'fcn', '--depth', '2', '--width', '8', '--batch', '32'];
    const run = ['--eta', '0.2', '--warmup', '4', '--eta-init', 'critical', '--steps', '6', '--backend', 'cpu'];
    const measure = ['--sharpness-every', '3', '--lambda0', '--eval-every', '0', '--quiet'];
    const resultFile = path.join(dir, 'result.json');
    const argv = [...flags, ...run, ...measure, '--result', resultFile];
    const code = await runTrainCli(argv, { stdout: out.stream, stderr: err.stream, env: {} });
    expect(code, err.text()).toBe(0);
    const rows = out
      .text()
      .trim()
      .split('\n')
      .map((line) => parseRecord(MetricRowSchema, JSON.parse(line)));
    expect(rows.map((r) => r.step)).toEqual([0, 1, 2, 3, 4, 5]);
    // λ^H measured on the steps sharpnessEvery names, by the curvature module's beforeUpdate.
    expect(rows.filter((r) => r.sharpness !== undefined).map((r) => r.step)).toEqual([0, 3]);
    expect(rows.every((r) => r.sharpness === undefined || r.sharpness > 0)).toBe(true);
    // λ0 and η_c, from the curvature module's measureLambda0 and resolveEtaInit.
    const result = parseRecord(RunResultSchema, JSON.parse(readFileSync(resultFile, 'utf8')));
    expect(result.lambda0).toBeGreaterThan(0);
    expect(result.etaC).toBeGreaterThan(0);
    expect(result.etaInit).toBe(result.etaC);
    expect(result.curvature?.measuredSteps).toBe(2);
  });
});
