import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../../../worker/data/dataset';
import { Rng } from '../../../../worker/data/prng';
import { initBackend } from '../../../../worker/engine/backend';
import { evaluate, lossAndGrads } from '../../../../worker/engine/grad';
import { accuracy, mseLoss, xentLoss } from '../../../../worker/engine/loss';
import { createModel } from '../../../../worker/models/registry';

beforeAll(async () => {
  await initBackend('wasm');
});

const scalar = (t: tf.Tensor): number => {
  const v = t.dataSync()[0];
  t.dispose();
  if (v === undefined) throw new Error('empty tensor');
  return v;
};

describe('losses (PAPER §3.4)', () => {
  it('MSE = 0.5 · mean over batch × classes of (f − y)²', () => {
    // differences 1, 1, 2, 4 → squares sum 22 → mean over B·K = 4 is 5.5 → × 0.5 = 2.75
    const f = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const y = tf.tensor2d([
      [0, 1],
      [1, 0],
    ]);
    expect(scalar(mseLoss(f, y))).toBeCloseTo(2.75, 6);
  });

  it('softmax cross-entropy with soft targets, mean over the batch', () => {
    // row 1: softmax([0, ln 3]) = [1/4, 3/4], target [0, 1] → −ln(3/4); row 2: logits equal, target [½, ½] → ln 2
    const f = tf.tensor2d([
      [0, Math.log(3)],
      [1, 1],
    ]);
    const y = tf.tensor2d([
      [0, 1],
      [0.5, 0.5],
    ]);
    expect(scalar(xentLoss(f, y))).toBeCloseTo((-Math.log(0.75) + Math.log(2)) / 2, 6);
  });

  it('cross-entropy stays finite for huge logits (log-softmax)', () => {
    const v = scalar(xentLoss(tf.tensor2d([[1000, 0]]), tf.tensor2d([[0, 1]])));
    expect(v).toBeCloseTo(1000, 3);
  });

  it('accuracy = fraction of argmax matches', () => {
    const f = tf.tensor2d([
      [0.1, 0.9],
      [2, 1],
      [0, 3],
    ]);
    const y = tf.tensor2d([
      [0, 1],
      [0, 1],
      [0.2, 0.8],
    ]);
    expect(scalar(accuracy(f, y))).toBeCloseTo(2 / 3, 6);
  });
});

describe('lossAndGrads', () => {
  const shape = { inputShape: [5], numClasses: 3 };

  it('matches the closed-form MSE gradient of a linear model and leaks no tensors', () => {
    // f = xW + b; L = ½·mean((f−y)²) over B·K ⇒ ∂L/∂W = xᵀ(f−y)/(B·K), ∂L/∂b = Σ_rows(f−y)/(B·K)
    const model = createModel({ kind: 'fcn', depth: 1, width: 1 }, 'sp', shape);
    const params = model.init(3);
    const rng = new Rng(1);
    const B = 4;
    const xv = Array.from({ length: B * 5 }, () => rng.normal());
    const yv = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0];
    const x = tf.tensor2d(xv, [B, 5]);
    const y = tf.tensor2d(yv, [B, 3]);
    const before = tf.memory().numTensors;
    const out = lossAndGrads(model, params, { x, y }, 'mse');
    expect(tf.memory().numTensors - before).toBe(2 + params.length);

    const W = params[0]?.arraySync() as number[][];
    const r: number[][] = [];
    let loss = 0;
    for (let i = 0; i < B; i++) {
      r.push([]);
      for (let k = 0; k < 3; k++) {
        let f = 0;
        for (let j = 0; j < 5; j++) f += (xv[i * 5 + j] as number) * (W[j]?.[k] as number);
        const d = f - (yv[i * 3 + k] as number);
        r[i]?.push(d);
        loss += (0.5 * d * d) / (B * 3);
      }
    }
    const dW = (out.grads[0] as tf.Tensor).arraySync() as number[][];
    const db = (out.grads[1] as tf.Tensor).arraySync() as number[];
    for (let k = 0; k < 3; k++) {
      let s = 0;
      for (let i = 0; i < B; i++) s += (r[i]?.[k] as number) / (B * 3);
      expect(db[k]).toBeCloseTo(s, 5);
      for (let j = 0; j < 5; j++) {
        let g = 0;
        for (let i = 0; i < B; i++) g += ((xv[i * 5 + j] as number) * (r[i]?.[k] as number)) / (B * 3);
        expect(dW[j]?.[k]).toBeCloseTo(g, 5);
      }
    }
    expect(scalar(out.loss)).toBeCloseTo(loss, 5);
    out.accuracy.dispose();
    tf.dispose([...out.grads, ...params, x, y]);
    expect(tf.memory().numTensors).toBe(before - params.length - 2);
  });

  it('evaluate gives example-weighted means, independent of the evaluation batch size', async () => {
    const model = createModel({ kind: 'fcn', depth: 2, width: 8 }, 'sp', shape);
    const params = model.init(5);
    const rng = new Rng(2);
    const n = 10;
    const data: Dataset = {
      name: 'toy',
      inputShape: [5],
      numClasses: 3,
      size: n,
      x: new Float32Array(n * 5).map(() => rng.normal()),
      y: new Float32Array(n * 3).map((_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0)),
    };
    const whole = await evaluate(model, params, data, 'xent', n);
    const inThrees = await evaluate(model, params, data, 'xent', 3);
    expect(inThrees.loss).toBeCloseTo(whole.loss, 5);
    expect(inThrees.accuracy).toBeCloseTo(whole.accuracy, 6);
    const direct = tf.tidy(() => {
      const logits = model.apply(params, tf.tensor2d(data.x, [n, 5]));
      return xentLoss(logits, tf.tensor2d(data.y, [n, 3]));
    });
    expect(whole.loss).toBeCloseTo(scalar(direct), 5);
    tf.dispose(params);
  });
});
