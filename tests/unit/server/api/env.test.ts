import { describe, expect, it } from 'vitest';
import { parseApiEnv } from '../../../../server/api/env';
import { ConfigError } from '../../../../server/store/env';

describe('parseApiEnv', () => {
  it('reads the launch token (empty = unset) and the store’s variables', () => {
    expect(parseApiEnv({ ATLAS_LAUNCH_TOKEN: '', ATLAS_DATA_DIR: '/tmp/x' })).toMatchObject({
      ATLAS_LAUNCH_TOKEN: undefined,
      store: { ATLAS_DATA_DIR: '/tmp/x' },
    });
    expect(parseApiEnv({ ATLAS_LAUNCH_TOKEN: 'long-enough' }).ATLAS_LAUNCH_TOKEN).toBe('long-enough');
  });

  it('rejects a short token with a ConfigError naming the variable', () => {
    expect(() => parseApiEnv({ ATLAS_LAUNCH_TOKEN: 'short' })).toThrow(ConfigError);
    expect(() => parseApiEnv({ ATLAS_LAUNCH_TOKEN: 'short' })).toThrow(/ATLAS_LAUNCH_TOKEN: use at least 8 characters/);
  });
});
