import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { DEFAULT_ADDON_PATH, type NativeAddon, loadAddon } from './addon';
import { ATLAS_NATIVE, registerAtlasNative } from './register';

/**
 * Activates the atlas-native backend when its addon is built, for worker/engine/backend.ts's ordered loaders
 * (tfjs-node-gpu → tfjs-node → atlas-native → wasm → cpu). Nothing here reads process.env. OpenBLAS reads its own
 * variables when it loads and they are respected: OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (kernel choice) and
 * OPENBLAS_NUM_THREADS (threads per process). Without OPENBLAS_NUM_THREADS a process uses one BLAS thread, since the
 * fleet runs one training process per core; configureAtlasNative({ threads }) overrides both.
 */

export interface AtlasNativeOptions {
  /** BLAS threads for this process; default OPENBLAS_NUM_THREADS when set, else 1. */
  threads?: number;
  /** The addon file; default worker/native/build/Release/atlas_native.node. */
  addonPath: string;
}

let options: AtlasNativeOptions = { addonPath: DEFAULT_ADDON_PATH };

/** Sets the options the loader uses (call before initBackend). */
export function configureAtlasNative(next: Partial<AtlasNativeOptions>): void {
  options = { ...options, ...next };
}

export type AtlasNativeLoad =
  { ok: true; backend: string; device: string; addon: NativeAddon } | { ok: false; reason: string };

let wasmPathsSet = false;
/** Points the wasm backend at its .wasm files in node_modules (once per process; harmless if already set). */
export function ensureWasmPaths(): void {
  if (wasmPathsSet) return;
  const require = createRequire(import.meta.url);
  setWasmPaths(
    path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep,
  );
  wasmPathsSet = true;
}

function cpuModel(): string {
  const model = os.cpus()[0]?.model.trim();
  return model !== undefined && model.length > 0 ? model : 'cpu';
}

/** Loads the addon, registers the backend and makes it the active one; never throws for "not available here". */
export async function loadAtlasNative(opts: AtlasNativeOptions = options): Promise<AtlasNativeLoad> {
  const loaded = loadAddon(opts.addonPath);
  if (!loaded.ok) return loaded;
  const addon = loaded.addon;
  const threads = opts.threads ?? (addon.info().envThreads || 1);
  try {
    ensureWasmPaths();
    registerAtlasNative(addon, { threads });
    const ok = await tf.setBackend(ATLAS_NATIVE);
    await tf.ready();
    if (!ok || tf.getBackend() !== ATLAS_NATIVE) return { ok: false, reason: `setBackend('${ATLAS_NATIVE}') failed` };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
  // The thread count is applied when the backend instance is created; set it again in case it was created earlier
  // (an earlier call of this function with other options).
  addon.setNumThreads(threads);
  const blas = addon.info();
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  const version = /OpenBLAS\s+(\S+)/.exec(blas.config)?.[1] ?? '';
  const device = `${cpuModel()} (OpenBLAS ${version} ${blas.corename}, ${blas.numThreads} thread${blas.numThreads === 1 ? '' : 's'}; wasm${simd ? ' simd' : ''} for other kernels)`;
  return { ok: true, backend: ATLAS_NATIVE, device, addon };
}

let noticed = false;

/** The loader entry of worker/engine/backend.ts (structurally its BackendLoader). */
export const atlasNativeLoader = {
  name: 'atlas-native' as const,
  async load(): Promise<{ backend: string; device: string } | null> {
    const r = await loadAtlasNative(options);
    if (!r.ok) {
      if (!noticed) console.warn(`[atlas-native] not available (${r.reason}); using the next backend (wasm).`);
      noticed = true;
      return null;
    }
    return { backend: r.backend, device: r.device };
  },
};
