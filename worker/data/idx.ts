import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { DataFileError } from './errors';

/**
 * The idx format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a big-endian header
 * 0x00 0x00 <type 0x08 = ubyte> <number of dims>, then one uint32 per dim, then the data. Files may be gzipped.
 */

export interface IdxArray {
  /** Dimensions as stored; dims[0] is the number of items in the file. */
  dims: number[];
  /** Number of items read (≤ dims[0] when a prefix was asked for). */
  items: number;
  data: Uint8Array;
}

const UBYTE = 0x08;

/**
 * Reads the first `maxItems` items (all when omitted) of an idx ubyte file with `expectedDims` dimensions. A gzipped
 * file is inflated as a stream and reading stops once the items needed have arrived.
 */
export async function readIdx(file: string, expectedDims: number, maxItems?: number): Promise<IdxArray> {
  try {
    await access(file);
  } catch {
    throw new DataFileError(file, 'not found');
  }
  const gz = file.endsWith('.gz');
  const chunks: Buffer[] = [];
  let have = 0;
  let needed = Number.POSITIVE_INFINITY;
  let header: { dims: number[]; items: number; headerBytes: number; itemBytes: number } | null = null;

  const parseHeader = (buf: Buffer): void => {
    if (buf[0] !== 0 || buf[1] !== 0 || buf[2] !== UBYTE || buf[3] !== expectedDims) {
      const magic = buf.readUInt32BE(0).toString(16).padStart(8, '0');
      const want = (UBYTE * 256 + expectedDims).toString(16).padStart(8, '0');
      throw new DataFileError(
        file,
        `bad idx magic number 0x${magic}, expected 0x${want} (unsigned bytes, ${expectedDims} dims)`,
      );
    }
    const dims: number[] = [];
    for (let i = 0; i < expectedDims; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
    const itemBytes = dims.slice(1).reduce((a, b) => a * b, 1);
    const total = dims[0] ?? 0;
    const items = maxItems === undefined ? total : Math.min(total, maxItems);
    const headerBytes = 4 + 4 * expectedDims;
    header = { dims, items, headerBytes, itemBytes };
    needed = headerBytes + items * itemBytes;
  };

  await new Promise<void>((resolve, reject) => {
    const raw = createReadStream(file);
    const stream = gz ? raw.pipe(createGunzip()) : raw;
    let done = false;
    const finish = (err?: unknown): void => {
      if (done) return;
      done = true;
      raw.destroy();
      if (stream !== raw) stream.destroy();
      if (err === undefined) resolve();
      else
        reject(
          err instanceof DataFileError
            ? err
            : new DataFileError(file, `cannot read: ${err instanceof Error ? err.message : 'unknown error'}`),
        );
    };
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      have += chunk.length;
      try {
        if (header === null && have >= 4 + 4 * expectedDims) parseHeader(Buffer.concat(chunks));
      } catch (e) {
        finish(e);
        return;
      }
      if (have >= needed) finish();
    });
    stream.on('error', (e: Error) => finish(e));
    raw.on('error', (e: Error) => finish(e));
    stream.on('end', () => finish());
  });

  const h = header as { dims: number[]; items: number; headerBytes: number; itemBytes: number } | null;
  if (h === null) throw new DataFileError(file, `too short for an idx header (${have} bytes)`);
  const buf = Buffer.concat(chunks);
  const want = h.headerBytes + h.items * h.itemBytes;
  if (buf.length < want) {
    throw new DataFileError(
      file,
      `truncated: the header promises ${h.dims[0]} items of ${h.itemBytes} bytes, but only ${Math.max(0, buf.length - h.headerBytes)} data bytes were read`,
    );
  }
  return {
    dims: h.dims,
    items: h.items,
    data: new Uint8Array(buf.buffer, buf.byteOffset + h.headerBytes, h.items * h.itemBytes),
  };
}
