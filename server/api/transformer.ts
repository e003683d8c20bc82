/**
 * tRPC data transformer that keeps NaN and ±Infinity (JSON turns them into null, but a diverged step is data:
 * DESIGN.md). Non-finite numbers travel as `{ "$num": "NaN" | "Infinity" | "-Infinity" }`; everything else is
 * plain JSON. Used by both the server (initTRPC) and the client links.
 */

const TAG = '$num';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function encode(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : { [TAG]: String(value) };
  if (Array.isArray(value)) return value.map(encode);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encode(v);
    return out;
  }
  return value;
}

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && entries[0]?.[0] === TAG) {
      const s = entries[0][1];
      if (s === 'NaN' || s === 'Infinity' || s === '-Infinity') return Number(s);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) out[k] = decode(v);
    return out;
  }
  return value;
}

export const nonFiniteTransformer = {
  serialize: (value: unknown): Json => encode(value) as Json,
  deserialize: (value: unknown): unknown => decode(value),
};
