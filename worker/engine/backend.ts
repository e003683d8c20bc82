import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendName } from '../../server/core/run-config';
import { atlasNativeLoader } from '../native/loader';

/**
 * Picks the TF.js backend at run time (DESIGN.md "Compute"). The preference comes from the CLI entry (`--backend`
 * or ATLAS_BACKEND, parsed there once); nothing here reads process.env.
 */

export interface BackendInfo {
  /** The TF.js backend name as registered ("tensorflow", "wasm", "cpu", or the native backend's name). */
  backend: string;
  /** Human-readable device, e.g. "AMD EPYC 9R14 (wasm simd, 1 thread)". */
  device: string;
}

export type ConcreteBackend = Exclude<BackendName, 'auto'>;

export interface BackendLoader {
  name: ConcreteBackend;
  /** Loads and activates the backend; returns null when it is not available on this host (never throws for that). */
  load(): Promise<BackendInfo | null>;
}

export class BackendUnavailableError extends Error {
  constructor(
    readonly requested: BackendName,
    readonly reasons: readonly string[],
  ) {
    super(`backend '${requested}' is not available here: ${reasons.join('; ')}`);
    this.name = 'BackendUnavailableError';
  }
}

function cpuModel(): string {
  const model = os.cpus()[0]?.model.trim();
  return model !== undefined && model.length > 0 ? model : 'cpu';
}

/** Imports an optional package that may not be installed (tfjs-node, tfjs-node-gpu). */
async function importOptional(specifier: string): Promise<unknown> {
  // A variable specifier keeps the bundler/typechecker from resolving packages that are optional dependencies.
  const spec: string = specifier;
  return (await import(spec)) as unknown;
}

async function activate(name: string): Promise<boolean> {
  if (tf.findBackendFactory(name) === null) return false;
  const ok = await tf.setBackend(name);
  await tf.ready();
  return ok && tf.getBackend() === name;
}

const lastError = new Map<ConcreteBackend, string>();

function tfjsNodeLoader(name: 'tfjs-node' | 'tfjs-node-gpu'): BackendLoader {
  return {
    name,
    async load() {
      try {
        await importOptional(`@tensorflow/${name}`);
      } catch (e) {
        lastError.set(
          name,
          `@tensorflow/${name} is not installed (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`,
        );
        return null;
      }
      // Both packages register the native backend as "tensorflow".
      if (!(await activate('tensorflow'))) {
        lastError.set(name, `@tensorflow/${name} loaded but the "tensorflow" backend did not initialize`);
        return null;
      }
      const device = name === 'tfjs-node-gpu' ? 'gpu (libtensorflow CUDA)' : `${cpuModel()} (libtensorflow)`;
      return { backend: 'tensorflow', device };
    },
  };
}

let wasmPathsSet = false;

const wasmLoader: BackendLoader = {
  name: 'wasm',
  async load() {
    if (!wasmPathsSet) {
      const require = createRequire(import.meta.url);
      const dist =
        path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
      setWasmPaths(dist);
      wasmPathsSet = true;
    }
    try {
      if (!(await activate('wasm'))) {
        lastError.set('wasm', 'setBackend("wasm") failed');
        return null;
      }
    } catch (e) {
      lastError.set('wasm', e instanceof Error ? e.message : String(e));
      return null;
    }
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
    // TF.js disables wasm threads in Node (FACTS.md), so this is one thread unless a future build changes that.
    return {
      backend: 'wasm',
      device: `${cpuModel()} (wasm${simd ? ' simd' : ''}, ${threads ? 'multi-thread' : '1 thread'})`,
    };
  },
};

const cpuLoader: BackendLoader = {
  name: 'cpu',
  async load() {
    if (!(await activate('cpu'))) {
      lastError.set('cpu', 'setBackend("cpu") failed');
      return null;
    }
    return { backend: 'cpu', device: `${cpuModel()} (pure JS)` };
  },
};

/**
 * The loaders, in the order 'auto' tries them. atlas-native (worker/native/) returns null with a one-line
 * notice when its addon is not built, and 'auto' goes on to wasm.
 */
const loaders: BackendLoader[] = [
  tfjsNodeLoader('tfjs-node-gpu'),
  tfjsNodeLoader('tfjs-node'),
  atlasNativeLoader,
  wasmLoader,
  cpuLoader,
];

const AUTO_ORDER: readonly ConcreteBackend[] = ['tfjs-node-gpu', 'tfjs-node', 'atlas-native', 'wasm', 'cpu'];

/** Adds (or replaces) the loader for one backend name; 'auto' tries loaders in AUTO_ORDER. */
export function registerBackendLoader(loader: BackendLoader): void {
  const i = loaders.findIndex((l) => l.name === loader.name);
  if (i >= 0) loaders[i] = loader;
  else loaders.push(loader);
}

function loaderFor(name: ConcreteBackend): BackendLoader | undefined {
  return loaders.find((l) => l.name === name);
}

let current: BackendInfo | null = null;

/**
 * Activates the preferred backend, or for 'auto' the first that loads in the order tfjs-node-gpu, tfjs-node,
 * atlas-native, wasm, cpu. Throws BackendUnavailableError when an explicitly requested backend cannot load.
 */
export async function initBackend(preference: BackendName): Promise<BackendInfo> {
  const order = preference === 'auto' ? AUTO_ORDER : [preference];
  const reasons: string[] = [];
  for (const name of order) {
    const loader = loaderFor(name);
    if (loader === undefined) {
      reasons.push(`${name}: no loader registered (not built on this host)`);
      continue;
    }
    const info = await loader.load();
    if (info !== null) {
      current = info;
      return info;
    }
    reasons.push(`${name}: ${lastError.get(name) ?? 'unavailable'}`);
  }
  throw new BackendUnavailableError(preference, reasons);
}

/** The backend chosen by the last successful initBackend, or null. */
export function currentBackend(): BackendInfo | null {
  return current;
}
