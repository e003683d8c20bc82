import type { Dataset } from './dataset';

/**
 * Input preprocessing of PAPER §3.1: per-sample standardization (zero mean, unit variance over all H·W·C values of
 * each image; population variance, as jnp.std), optional μP input scaling (divide by √(input dim)), one-hot labels.
 */

/** Standardizes each example of `pixels` (n × d values) in a new Float32Array. A constant example becomes all zeros. */
export function standardizePerSample(pixels: ArrayLike<number>, n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let mean = 0;
    for (let j = 0; j < d; j++) mean += pixels[o + j] as number;
    mean /= d;
    let v = 0;
    for (let j = 0; j < d; j++) {
      const c = (pixels[o + j] as number) - mean;
      v += c * c;
    }
    const std = Math.sqrt(v / d);
    const inv = std > 0 ? 1 / std : 0;
    for (let j = 0; j < d; j++) out[o + j] = ((pixels[o + j] as number) - mean) * inv;
  }
  return out;
}

/** One-hot targets n × k; throws on a label outside [0, k). */
export function oneHot(labels: ArrayLike<number>, k: number, source: string): Float32Array {
  const out = new Float32Array(labels.length * k);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i] as number;
    if (!Number.isInteger(c) || c < 0 || c >= k)
      throw new RangeError(`${source}: label ${c} at index ${i} is outside [0, ${k})`);
    out[i * k + c] = 1;
  }
  return out;
}

/** Divides every input by √(input dim) in place (the authors' μP FCN script; PAPER §3.1). */
export function scaleInputs(x: Float32Array, d: number): Float32Array {
  const s = 1 / Math.sqrt(d);
  for (let i = 0; i < x.length; i++) x[i] = (x[i] as number) * s;
  return x;
}

export interface LabelledImages {
  name: string;
  /** [H, W, C]; pixels are stored HWC, example-major. */
  inputShape: [number, number, number];
  numClasses: number;
  count: number;
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** Standardized, optionally μP-scaled, one-hot dataset from raw image bytes. */
export function imagesToDataset(images: LabelledImages, mupInputScaling: boolean): Dataset {
  const d = images.inputShape[0] * images.inputShape[1] * images.inputShape[2];
  const x = standardizePerSample(images.pixels, images.count, d);
  if (mupInputScaling) scaleInputs(x, d);
  return {
    name: images.name,
    inputShape: images.inputShape,
    numClasses: images.numClasses,
    size: images.count,
    x,
    y: oneHot(images.labels.subarray(0, images.count), images.numClasses, images.name),
  };
}
