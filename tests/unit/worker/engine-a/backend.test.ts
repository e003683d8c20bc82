import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, initBackend, registerBackendLoader } from '../../../../worker/engine/backend';

describe('initBackend', () => {
  it('activates wasm with SIMD and reports the device', async () => {
    const info = await initBackend('wasm');
    expect(info.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.device).toMatch(/\(wasm simd, 1 thread\)$/);
  });

  it('activates the pure-JS cpu backend on request', async () => {
    expect(await initBackend('cpu')).toMatchObject({ backend: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('an explicit backend that cannot load is an error naming it and why', async () => {
    // tfjs-node is an optional dependency whose install downloads libtensorflow; absent on this kind of machine.
    await expect(initBackend('tfjs-node')).rejects.toThrow(BackendUnavailableError);
    await expect(initBackend('tfjs-node')).rejects.toThrow(/tfjs-node.*not installed/);
  });

  it("'auto' tries loaders in the order tfjs-node-gpu, tfjs-node, atlas-native, wasm, cpu", async () => {
    const tried: string[] = [];
    registerBackendLoader({
      name: 'tfjs-node-gpu',
      load: async () => {
        tried.push('tfjs-node-gpu');
        return null;
      },
    });
    registerBackendLoader({
      name: 'atlas-native',
      load: async () => {
        tried.push('atlas-native');
        await tf.setBackend('cpu');
        return { backend: 'cpu', device: 'test native' };
      },
    });
    const info = await initBackend('auto');
    expect(info.device).toBe('test native');
    expect(tried).toEqual(['tfjs-node-gpu', 'atlas-native']);
  });
});
