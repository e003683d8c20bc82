import { describe, expect, it } from 'vitest';
import { encodeJsonNumbers, JsonNumberSchema, stringifyRecord } from '../../../../server/core/json-number';

describe('stringifyRecord', () => {
  it('writes NaN and ±Infinity as their strings at any depth, the same text as stringifying encodeJsonNumbers', () => {
    const value = {
      a: [1, NaN, { b: -Infinity, c: [Infinity, -0, 2.5e-30] }],
      d: null,
      e: 'NaN',
      f: true,
      g: undefined,
    };
    const text = stringifyRecord(value);
    expect(text).toBe('{"a":[1,"NaN",{"b":"-Infinity","c":["Infinity",0,2.5e-30]}],"d":null,"e":"NaN","f":true}');
    expect(text).toBe(JSON.stringify(encodeJsonNumbers(value)));
    expect(stringifyRecord(NaN)).toBe('"NaN"');
    expect(stringifyRecord([Infinity])).toBe('["Infinity"]');
  });

  it('round-trips through JsonNumberSchema', () => {
    const back = JsonNumberSchema.array().parse(JSON.parse(stringifyRecord([NaN, Infinity, -Infinity, 1.5])));
    expect(back[0]).toBeNaN();
    expect(back.slice(1)).toEqual([Infinity, -Infinity, 1.5]);
  });
});
