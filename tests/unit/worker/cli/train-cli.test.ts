import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MetricRowSchema, RunResultSchema } from '../../../../server/core/metrics';

// The real entry (`npm run train` = tsx worker/cli/train.ts), spawned as a user would run it.
const root = path.resolve(import.meta.dirname, '../../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'atlas-train-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tiny run on the cpu backend: FCN-2-16 on the synthetic mixture, batch 32, at learning rate `eta`. */
function tinyRun(eta: string, steps: string): string[] {
  return [
    '--dataset',
    'synthetic-gmm',
    '--depth',
    '2',
    '--width',
    '16',
    '--eta',
    eta,
    '--steps',
    steps,
    '--batch',
    '32',
  ];
}

function train(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'worker/cli/train.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ATLAS_BACKEND: '', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run train', () => {
  it('rejects a bad config file before any work: exit 2, the field and allowed values named, nothing written', () => {
    const cfg = path.join(dir, 'bad.json');
    writeFileSync(
      cfg,
      JSON.stringify({ model: { kind: 'fcn', width: 16 }, optimizer: { kind: 'adamw' }, schedule: { etaTrgt: 0.1 } }),
    );
    const out = path.join(dir, 'bad.ndjson');
    const r = train(['--config', cfg, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'optimizer.kind (--optimizer): Invalid option: expected one of "sgd"|"sgd-momentum"|"adam"|"gi-adam"|"ri-adam"',
    );
    expect(r.stderr).not.toMatch(/training |outcome/);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('trains a tiny run: NDJSON rows to --out, the RunResult to --result, a summary on stderr', () => {
    const out = path.join(dir, 'rows.ndjson');
    const res = path.join(dir, 'result.json');
    const r = train(
      [
        '--dataset',
        'synthetic-gmm',
        '--model',
        'fcn',
        '--depth',
        '2',
        '--width',
        '16',
        '--eta',
        '0.5',
        '--warmup',
        '4',
        '--steps',
        '20',
        '--batch',
        '32',
        '--out',
        out,
        '--result',
        res,
      ],
      { ATLAS_BACKEND: 'cpu' },
    );
    expect(r.stderr).toContain('outcome   trained');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => MetricRowSchema.parse(JSON.parse(l)));
    expect(rows.map((x) => x.step)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(rows.slice(0, 5).map((x) => x.lr)).toEqual([0.125, 0.25, 0.375, 0.5, 0.5]); // η_trgt·(s+1)/4, then η_trgt
    const result = RunResultSchema.parse(JSON.parse(readFileSync(res, 'utf8')));
    expect(result).toMatchObject({ outcome: 'trained', stepsRun: 20, backend: 'cpu' });
    expect(result.config.backend).toBe('cpu'); // from ATLAS_BACKEND
    expect(result.finalTrainLoss).toBe(rows[19]?.loss);
    expect(r.stderr).toMatch(/steps\/s/);
  });

  it('writes rows to stdout without --out, a diverged run kept with its non-finite loss (exit 0: it is a result)', () => {
    const r = train([...tinyRun('1000', '50'), '--backend', 'cpu', '--quiet']);
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => MetricRowSchema.parse(JSON.parse(l)));
    const last = rows.at(-1);
    expect(Number.isFinite(last?.loss ?? 0)).toBe(false);
    expect(r.stderr).toContain(`outcome   diverged at step ${last?.step ?? -1}`);
    expect(r.stderr).not.toContain('[#');
  });

  it('Ctrl-C cancels the run: rows so far kept, the summary printed, exit 130', async () => {
    const out = path.join(dir, 'cancelled.ndjson');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'worker/cli/train.ts', ...tinyRun('0.1', '1000000'), '--backend', 'cpu', '--out', out],
      { cwd: root, env: { ...process.env, ATLAS_BACKEND: '' } },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        // The first progress line means training is under way.
        if (/step \d+\/1000000/.test(stderr) && !child.killed) child.kill('SIGINT');
      });
      child.on('close', (c) => resolve(c));
    });
    expect(code).toBe(130);
    expect(stderr).toContain('outcome   cancelled');
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => MetricRowSchema.parse(JSON.parse(l)));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(1000000);
    expect(rows.map((r) => r.step)).toEqual(rows.map((_, i) => i)); // complete lines, in order
    expect(stderr).toMatch(new RegExp(`steps     ${rows.length}/1000000 updates`));
  });
});
