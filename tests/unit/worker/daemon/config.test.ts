import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../server/store/env';
import { parseWorkerSetup } from '../../../../worker/daemon/config';

describe('worker configuration', () => {
  it('fills defaults: heartbeat a third of the lease, worker id from host and pid', () => {
    const { config, storeEnv } = parseWorkerSetup(['--concurrency', '3'], { ATLAS_LEASE_MS: '9000' });
    expect(config).toMatchObject({
      concurrency: 3,
      leaseMs: 9000,
      heartbeatMs: 3000,
      pollMs: 2000,
      chunkRows: 500,
      chunkMs: 10_000,
      exitWhenIdle: false,
    });
    expect(config.workerId).toMatch(new RegExp(`-${process.pid}$`));
    expect(storeEnv.ATLAS_DATA_DIR).toBe('.atlas');
  });

  it('lets flags win over the environment', () => {
    const { config } = parseWorkerSetup(['--chunk-rows', '20', '--exit-when-idle'], {
      ATLAS_CHUNK_ROWS: '99',
      ATLAS_WORKER_CONCURRENCY: '2',
    });
    expect(config).toMatchObject({ chunkRows: 20, concurrency: 2, exitWhenIdle: true });
  });

  it('names the bad field and the allowed range', () => {
    expect(() => parseWorkerSetup(['--concurrency', '0'], {})).toThrow(ConfigError);
    expect(() => parseWorkerSetup(['--concurrency', '0'], {})).toThrow(
      '--concurrency / ATLAS_WORKER_CONCURRENCY: Too small: expected number to be >=1',
    );
    expect(() => parseWorkerSetup(['--lease-ms', '1000', '--heartbeat-ms', '1000'], {})).toThrow(
      '--heartbeat-ms / ATLAS_HEARTBEAT_MS: heartbeat must be shorter than the lease',
    );
    expect(() => parseWorkerSetup([], { ATLAS_LEASE_MS: 'abc' })).toThrow(
      '--lease-ms / ATLAS_LEASE_MS: Invalid input: expected number, received NaN',
    );
    expect(() => parseWorkerSetup(['--worker-id', 'has space'], {})).toThrow(
      /--worker-id \/ ATLAS_WORKER_ID: letters, digits/,
    );
    expect(() => parseWorkerSetup(['--bogus'], {})).toThrow(/Unknown option '--bogus'/);
  });

  it('limits a worker to given sweeps, naming a malformed id', () => {
    const a = 'sw1ygr2pqbz-k3m9x0d2aq';
    const b = 'sw1ygr2pqbz-k3m9x0d2ab';
    expect(parseWorkerSetup(['--sweeps', `${a}, ${b}`], {}).config.sweeps).toEqual([a, b]);
    expect(parseWorkerSetup([], { ATLAS_WORKER_SWEEPS: a }).config.sweeps).toEqual([a]);
    expect(parseWorkerSetup([], {}).config.sweeps).toBeUndefined();
    expect(() => parseWorkerSetup(['--sweeps', `${a},nope`], {})).toThrow(
      /--sweeps \/ ATLAS_WORKER_SWEEPS: a sweep id like/,
    );
    expect(() => parseWorkerSetup(['--sweeps', ' , '], {})).toThrow(
      /--sweeps \/ ATLAS_WORKER_SWEEPS: at least one sweep id/,
    );
  });
});
