/**
 * Seed the sharing fixtures into a store directory for a running server (benchmarks, manual checks):
 *   tsx tests/integration/share/seed-cli.ts <dir>   → prints {"finished", "running", "heavy", "large"} sweep ids as JSON
 */
import { FsBlobStore } from '../../../server/store/fs-blob-store';
import { seedDivergedHeavy, seedFinished, seedLarge, seedRunning } from './fixtures';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: tsx tests/integration/share/seed-cli.ts <store dir>');
  process.exit(2);
}
const blob = new FsBlobStore(dir);
const now = Date.now();
const out = {
  finished: await seedFinished(blob, now),
  running: await seedRunning(blob, now),
  heavy: await seedDivergedHeavy(blob, now),
  large: await seedLarge(blob, now),
};
console.log(JSON.stringify(out));
