import { describe, expect, it } from 'vitest';
import { RunConfigSchema } from '../../../../server/core/run-config';
import { buildConfigInput, CliUsageError, flagFor, parseTrainArgs } from '../../../../worker/cli/train-args';
import { describeConfigErrors, resolveTrainConfig } from '../../../../worker/cli/train-cli';
import { parseCliEnv } from '../../../../worker/cli/env';

describe('train CLI flags', () => {
  it('maps the common flags onto config fields, numbers parsed', () => {
    const args = parseTrainArgs([
      '--model',
      'cnn',
      '--depth',
      '7',
      '--width',
      '8',
      '--optimizer',
      'gi-adam',
      '--eta',
      '0.003',
      '--warmup',
      '64',
      '--steps',
      '500',
      '--batch',
      '0',
      '--seed',
      '3',
      '--dataset',
      'mnist',
      '--data-dir',
      '/d',
      '--subset',
      '5000',
      '--backend',
      'wasm',
      '--out',
      'r.ndjson',
    ]);
    const cfg = RunConfigSchema.parse(buildConfigInput({}, args, undefined));
    expect(cfg.model).toEqual({ kind: 'cnn', depth: 7, width: 8 });
    expect(cfg.optimizer.kind).toBe('gi-adam');
    expect(cfg.schedule).toMatchObject({ etaTrgt: 0.003, warmupSteps: 64 });
    expect(cfg).toMatchObject({ steps: 500, batchSize: 0, seed: 3, backend: 'wasm' });
    expect(cfg.data).toMatchObject({ name: 'mnist', dir: '/d', trainSubset: 5000 });
    expect(args.out).toBe('r.ndjson');
  });

  it('flags override the config file; --backend beats ATLAS_BACKEND, which beats the file', () => {
    const file = {
      model: { kind: 'fcn', depth: 2, width: 64 },
      schedule: { etaTrgt: 0.1, warmupSteps: 10 },
      backend: 'cpu',
    };
    const withEnv = RunConfigSchema.parse(buildConfigInput(file, parseTrainArgs(['--width', '32']), 'wasm'));
    expect(withEnv.model).toEqual({ kind: 'fcn', depth: 2, width: 32 });
    expect(withEnv.schedule.warmupSteps).toBe(10);
    expect(withEnv.backend).toBe('wasm');
    const withFlag = RunConfigSchema.parse(buildConfigInput(file, parseTrainArgs(['--backend', 'auto']), 'wasm'));
    expect(withFlag.backend).toBe('auto');
    expect(file.model.width).toBe(64); // the file's object is not mutated
  });

  it('--eta-init sets a value start; model flags alone default the kind to fcn', () => {
    const cfg = RunConfigSchema.parse(
      buildConfigInput({}, parseTrainArgs(['--eta', '1', '--eta-init', '0.25', '--depth', '2']), undefined),
    );
    expect(cfg.schedule.etaInit).toEqual({ mode: 'value', value: 0.25 });
    expect(cfg.model).toEqual({ kind: 'fcn', depth: 2, width: 512 });
  });

  it('--eta-init also takes zero, critical or persistent; --lambda0 asks for λ0', () => {
    const parse = (v: string) =>
      RunConfigSchema.parse(
        buildConfigInput({}, parseTrainArgs(['--eta', '1', '--eta-init', v, '--lambda0']), undefined),
      );
    expect(parse('critical').schedule.etaInit).toEqual({ mode: 'critical', eta0: 1e-4 });
    expect(parse('persistent').schedule.etaInit).toEqual({ mode: 'persistent', eta0: 1e-4 });
    expect(parse('zero').schedule.etaInit).toEqual({ mode: 'zero' });
    expect(parse('critical').measure.lambda0).toBe(true);
    const bad = RunConfigSchema.safeParse(
      buildConfigInput({}, parseTrainArgs(['--eta', '1', '--eta-init', 'soon']), undefined),
    );
    expect(bad.success ? '' : describeConfigErrors(bad.error)).toContain(
      'schedule.etaInit.value (--eta-init): Invalid input: expected number, received string',
    );
  });

  it('rejects unknown flags and bad environment values by name', () => {
    expect(() => parseTrainArgs(['--frobnicate', '1'])).toThrow(CliUsageError);
    expect(() => parseTrainArgs(['--frobnicate', '1'])).toThrow(/--frobnicate/);
    expect(() => parseCliEnv({ ATLAS_BACKEND: 'gpu' })).toThrow(/ATLAS_BACKEND.*"wasm"/);
    expect(parseCliEnv({ ATLAS_BACKEND: '' })).toEqual({});
  });

  it('names the field, its flag and the allowed values for each bad value', async () => {
    const r = await resolveTrainConfig(
      ['--optimizer', 'adamw', '--eta', 'fast', '--steps', '0', '--loss', 'hinge'],
      {},
    );
    expect(r.ok).toBe(false);
    const msg = r.ok ? '' : r.message;
    expect(msg).toContain(
      'optimizer.kind (--optimizer): Invalid option: expected one of "sgd"|"sgd-momentum"|"adam"|"gi-adam"|"ri-adam"',
    );
    expect(msg).toContain('schedule.etaTrgt (--eta): Invalid input: expected number, received string');
    expect(msg).toContain('steps (--steps): Too small: expected number to be >=1');
    expect(msg).toContain('loss (--loss): Invalid option: expected one of "mse"|"xent"');
  });

  it('a missing η_trgt is reported as schedule.etaTrgt (--eta)', async () => {
    const r = await resolveTrainConfig([], {});
    expect(r.ok ? '' : r.message).toMatch(
      /schedule\.etaTrgt \(--eta\): Invalid input: expected number, received undefined/,
    );
  });

  it('flagFor knows every flag-backed path', () => {
    expect(flagFor('schedule.etaTrgt')).toBe('--eta');
    expect(flagFor('batchSize')).toBe('--batch');
    expect(flagFor('data.trainSubset')).toBe('--subset');
    expect(flagFor('schedule.etaInit.value')).toBe('--eta-init');
    expect(flagFor('measure.lambda0')).toBe('--lambda0');
    expect(flagFor('measure.lambda0Batches')).toBeUndefined();
  });

  it('describeConfigErrors keeps lines without a flag as they are', () => {
    const r = RunConfigSchema.safeParse({ schedule: { etaTrgt: 1 }, measure: { lambda0Batches: 0 } });
    expect(r.success).toBe(false);
    if (!r.success)
      expect(describeConfigErrors(r.error)).toBe('  measure.lambda0Batches: Too small: expected number to be >=1');
  });
});
