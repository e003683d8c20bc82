import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { NativeAddon } from './addon';
import { binary } from './kernels/binary';
import type { KernelArgs, KernelOutput } from './kernels/common';
import { conv2d, conv2dBackpropFilter, conv2dBackpropInput, fusedConv2d } from './kernels/conv';
import { batchMatMul, fusedMatMul } from './kernels/matmul';
import { maxPool, maxPoolGrad } from './kernels/pool';
import { sum } from './kernels/reduce';
import { cast, identity } from './kernels/unary';

/** The TF.js backend name runs record when they trained on the native kernels. */
export const ATLAS_NATIVE = 'atlas-native';
/** The stock backend it is built on: its kernels run everything the addon does not replace. */
export const BASE_BACKEND = 'wasm';

type Override = (args: KernelArgs, stock: tf.KernelFunc) => KernelOutput;

/**
 * The kernels the addon replaces, chosen by profiling training steps and timing each kernel against the stock one
 * (docs/BENCHMARKS.md, "atlas-native"): the GEMMs and convolutions carry nearly all the FLOPs; Sum is the bias
 * gradient (wasm transposes before reducing); MaxPoolGrad on wasm cost more than all the convolutions of a CNN step;
 * Identity (every tensor saved for backprop is cloned) and same-dtype Cast copy whole activations on wasm and share
 * them here; broadcasting binaries only for large broadcasts (bias adds over conv activations), where they are ~2×
 * faster. Same-shape elementwise ops, ReLU and Step measured at parity with wasm's SIMD kernels and stay stock.
 */
export function nativeOverrides(addon: NativeAddon, minNativeBroadcast?: number): Record<string, Override> {
  return {
    [tf.BatchMatMul]: batchMatMul(addon),
    [tf._FusedMatMul]: fusedMatMul(addon),
    [tf.Conv2D]: conv2d(addon),
    [tf.FusedConv2D]: fusedConv2d(addon),
    [tf.Conv2DBackpropInput]: conv2dBackpropInput(addon),
    [tf.Conv2DBackpropFilter]: conv2dBackpropFilter(addon),
    [tf.Sum]: sum(addon),
    [tf.Add]: binary(addon, 'add', minNativeBroadcast),
    [tf.Sub]: binary(addon, 'sub', minNativeBroadcast),
    [tf.Multiply]: binary(addon, 'mul', minNativeBroadcast),
    [tf.RealDiv]: binary(addon, 'div', minNativeBroadcast),
    [tf.SquaredDifference]: binary(addon, 'squaredDifference', minNativeBroadcast),
    [tf.Maximum]: binary(addon, 'maximum', minNativeBroadcast),
    [tf.Minimum]: binary(addon, 'minimum', minNativeBroadcast),
    [tf.MaxPool]: maxPool(addon),
    [tf.MaxPoolGrad]: maxPoolGrad(addon),
    [tf.Identity]: identity(),
    [tf.Cast]: cast(),
  };
}

function missingStock(name: string): tf.KernelFunc {
  return () => {
    throw new Error(
      `Kernel '${name}' is not implemented by atlas-native for these inputs, and '${BASE_BACKEND}' has none`,
    );
  };
}

export interface RegisterOptions {
  /** BLAS threads for this process (the fleet runs one training process per core); default 1. */
  threads?: number;
  /** Restrict the overrides to these kernel names (benchmarks and profiling); default all. */
  only?: readonly string[];
  /** Register under another name (benchmark variants side by side); default `atlas-native`. */
  name?: string;
  /** Smallest broadcasting binary op run natively (tests use 0 to exercise the native kernel on small shapes). */
  minNativeBroadcast?: number;
}

/**
 * Registers the `atlas-native` backend: a separate instance of the stock wasm backend (its own heap) under its own
 * name, carrying every wasm kernel, with the addon's kernels registered over the hot ones. Idempotent. Requires the
 * wasm backend's factory to be registered (importing @tensorflow/tfjs-backend-wasm does that) and its wasm paths to
 * be set if the default location does not work.
 */
export function registerAtlasNative(addon: NativeAddon, options: RegisterOptions = {}): void {
  const name = options.name ?? ATLAS_NATIVE;
  if (name in tf.engine().registryFactory) return;
  const baseFactory = tf.findBackendFactory(BASE_BACKEND);
  if (baseFactory === null) throw new Error(`the '${BASE_BACKEND}' backend is not registered`);
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`BLAS threads must be a positive integer, got ${threads}`);

  // A fresh base instance per registration, not the 'wasm' backend's own: each backend owns its heap, so both can be
  // used in one process (tensors move between them through the engine like between any two backends).
  const registered = tf.registerBackend(
    name,
    async () => {
      const backend = await baseFactory();
      addon.setNumThreads(threads);
      return backend;
    },
    // Below every stock backend: only an explicit setBackend (or worker/engine/backend.ts's order) picks it.
    0,
  );
  if (!registered) return;

  const stock = new Map<string, tf.KernelConfig>();
  for (const config of tf.getKernelsForBackend(BASE_BACKEND)) {
    stock.set(config.kernelName, config);
    tf.registerKernel({ ...config, backendName: name });
  }
  const overrides = nativeOverrides(addon, options.minNativeBroadcast);
  for (const [kernelName, kernel] of Object.entries(overrides)) {
    if (options.only !== undefined && !options.only.includes(kernelName)) continue;
    const base = stock.get(kernelName);
    if (base !== undefined) tf.unregisterKernel(kernelName, name);
    const fallback = base?.kernelFunc ?? missingStock(kernelName);
    tf.registerKernel({
      kernelName,
      backendName: name,
      kernelFunc: (args) => kernel(args, fallback),
      // The stock kernel's setup binds its wasm functions to this backend instance; the fallback path needs them.
      ...(base?.setupFunc === undefined ? {} : { setupFunc: base.setupFunc }),
      ...(base?.disposeFunc === undefined ? {} : { disposeFunc: base.disposeFunc }),
    });
  }
}
