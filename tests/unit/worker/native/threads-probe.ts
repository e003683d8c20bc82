// Child process of threads.test.ts: loads atlas-native (optionally with configureAtlasNative({ threads })) and
// prints the BLAS thread count in force and the device string a run would record.
import { configureAtlasNative, loadAtlasNative } from '../../../../worker/native/loader';

const arg = process.argv[2];
if (arg !== undefined) configureAtlasNative({ threads: Number(arg) });
const r = await loadAtlasNative();
process.stdout.write(
  `${JSON.stringify(r.ok ? { numThreads: r.addon.info().numThreads, device: r.device } : { error: r.reason })}\n`,
);
