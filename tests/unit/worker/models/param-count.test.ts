import { describe, expect, it } from 'vitest';
import { createModel, forwardFlopsPerExample, trainStepFlopsPerExample } from '../../../../worker/models/registry';

// Hand-counted parameter totals: a Dense n_in → n_out has n_in·n_out + n_out; a 3×3 conv C_in → C_out has
// 9·C_in·C_out + C_out.
describe('parameter counts', () => {
  it('FCN-4-512 on CIFAR-10 (3072 inputs) has 2,103,818 parameters (PAPER §3.3)', () => {
    const m = createModel({ kind: 'fcn', depth: 4, width: 512 }, 'sp', { inputShape: [32, 32, 3], numClasses: 10 });
    expect(3072 * 512 + 512 + 2 * (512 * 512 + 512) + 512 * 10 + 10).toBe(2_103_818);
    expect(m.paramCount).toBe(2_103_818);
    expect(m.paramSpecs.map((p) => p.shape)).toEqual([
      [3072, 512],
      [512],
      [512, 512],
      [512],
      [512, 512],
      [512],
      [512, 10],
      [10],
    ]);
  });

  it('FCN-4-512 on 784 inputs, and the linear model FCN-1', () => {
    const shape = { inputShape: [28, 28, 1], numClasses: 10 };
    expect(createModel({ kind: 'fcn', depth: 4, width: 512 }, 'sp', shape).paramCount).toBe(
      784 * 512 + 512 + 2 * (512 * 512 + 512) + 5130,
    );
    expect(createModel({ kind: 'fcn', depth: 4, width: 512 }, 'mup', shape).paramCount).toBe(932_362);
    const linear = createModel({ kind: 'fcn', depth: 1, width: 512 }, 'sp', shape);
    expect(linear.paramCount).toBe(7850);
    expect(linear.paramSpecs.map((p) => p.shape)).toEqual([[784, 10], [10]]);
  });

  it('Myrtle CNNs on 28×28×1: depth 5 = convs [2,1,1], depth 7 = [2,2,2], depth 10 = [3,3,3]', () => {
    const shape = { inputShape: [28, 28, 1], numClasses: 10 };
    const conv = (cin: number, cout: number) => 9 * cin * cout + cout;
    const readout = 128 * 10 + 10;
    const five = conv(1, 32) + conv(32, 32) + conv(32, 64) + conv(64, 128) + readout;
    expect(five).toBe(103_210);
    expect(createModel({ kind: 'cnn', depth: 5, width: 32 }, 'sp', shape).paramCount).toBe(five);
    const seven = conv(1, 32) + conv(32, 32) + conv(32, 64) + conv(64, 64) + conv(64, 128) + conv(128, 128) + readout;
    expect(createModel({ kind: 'cnn', depth: 7, width: 32 }, 'mup', shape).paramCount).toBe(seven);
    const ten =
      conv(1, 32) + 2 * conv(32, 32) + conv(32, 64) + 2 * conv(64, 64) + conv(64, 128) + 2 * conv(128, 128) + readout;
    const m10 = createModel({ kind: 'cnn', depth: 10, width: 32 }, 'sp', shape);
    expect(m10.paramCount).toBe(ten);
    // 9 convs + readout, each kernel and bias
    expect(m10.paramSpecs).toHaveLength(20);
  });

  it('the CNN rejects flat examples with a message naming the field', () => {
    expect(() => createModel({ kind: 'cnn', depth: 5, width: 8 }, 'sp', { inputShape: [17], numClasses: 3 })).toThrow(
      /model\.kind.*\[17\]/,
    );
  });

  it('FLOP counts: FCN 784-512-512-512-10 and CNN-5 forward MACs by hand', () => {
    const shape = { inputShape: [28, 28, 1], numClasses: 10 };
    const fcnMacs = 784 * 512 + 2 * 512 * 512 + 512 * 10;
    expect(forwardFlopsPerExample({ kind: 'fcn', depth: 4, width: 512 }, shape)).toBe(2 * fcnMacs);
    // backward: weight grads for all layers, input grads for all but the first
    expect(trainStepFlopsPerExample({ kind: 'fcn', depth: 4, width: 512 }, shape)).toBe(6 * fcnMacs - 2 * 784 * 512);
    // 28×28 maps for stage 0, 14×14 for stage 1, 7×7 for stage 2
    const cnnMacs = 784 * 9 * (1 * 32 + 32 * 32) + 196 * 9 * 32 * 64 + 49 * 9 * 64 * 128 + 128 * 10;
    expect(forwardFlopsPerExample({ kind: 'cnn', depth: 5, width: 32 }, shape)).toBe(2 * cnnMacs);
  });
});
