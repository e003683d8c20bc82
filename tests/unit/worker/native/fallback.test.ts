import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BackendUnavailableError, initBackend } from '../../../../worker/engine/backend';
import { DEFAULT_ADDON_PATH, NATIVE_API_VERSION, loadAddon } from '../../../../worker/native/addon';
import { configureAtlasNative } from '../../../../worker/native/loader';

/**
 * What a machine without the addon (no OpenBLAS, no compiler) sees, simulated here by pointing the loader at a file
 * that does not exist: the loader says why, 'auto' falls back to wasm with one notice, and asking for atlas-native
 * explicitly is an error. These run whether or not the addon is built here.
 */

const missing = path.join(os.tmpdir(), 'no-such-dir', 'atlas_native.node');

afterAll(() => configureAtlasNative({ addonPath: DEFAULT_ADDON_PATH }));

describe('atlas-native fallback', () => {
  it('loadAddon reports a missing build without throwing', () => {
    const r = loadAddon(missing);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/not built/);
  });

  it('loadAddon refuses a build of another API version', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'atlas-native-'));
    const stale = path.join(dir, 'stale.cjs');
    writeFileSync(stale, `module.exports = { apiVersion: ${NATIVE_API_VERSION - 1}, matmul() {} };\n`);
    const r = loadAddon(stale);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.reason).toMatch(new RegExp(`API version ${NATIVE_API_VERSION - 1}, expected ${NATIVE_API_VERSION}`));
  });

  it("'auto' falls back to wasm with a one-line notice, once per process", async () => {
    configureAtlasNative({ addonPath: missing });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const info = await initBackend('auto');
      expect(info.backend).toBe('wasm');
      expect(tf.getBackend()).toBe('wasm');
      await initBackend('auto');
      const notices = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.startsWith('[atlas-native]'));
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatch(
        /^\[atlas-native\] not available \(the addon is not built.*\); using the next backend \(wasm\)\.$/,
      );
      expect(notices[0]).not.toContain('\n');
    } finally {
      warn.mockRestore();
    }
  });

  it('an explicit atlas-native request without the addon is an error', async () => {
    configureAtlasNative({ addonPath: missing });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await expect(initBackend('atlas-native')).rejects.toThrow(BackendUnavailableError);
    } finally {
      warn.mockRestore();
    }
  });
});
