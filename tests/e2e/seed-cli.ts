/** Seed a store directory with the fixture sweep: `tsx tests/e2e/seed-cli.ts <dir>`; prints the sweep id. */
import { FsBlobStore } from '../../server/store/fs-blob-store';
import { seedFixtureSweep } from './seed-store';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: seed-cli.ts <store dir>');
  process.exit(2);
}
const id = await seedFixtureSweep(new FsBlobStore(dir));
console.log(id);
