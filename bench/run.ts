/**
 * `npm run bench -- <name> [options]`: runs one benchmark. Every benchmark measures CardDesk
 * side by side with its anchor (OpenSSL, OpenSC tools, SQLite) in the same run and prints both
 * and their ratio; the numbers are measured, never assumed.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Benchmark {
  readonly description: string;
  run(args: readonly string[]): Promise<void>;
}

const benchDir = import.meta.dirname;
const available = readdirSync(benchDir)
  .filter((file) => file.endsWith('.bench.ts'))
  .map((file) => file.replace(/\.bench\.ts$/, ''))
  .sort();

const [name, ...rest] = process.argv.slice(2);
if (name === undefined || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|') || 'name'}> [options]`);
  process.exit(name === undefined ? 0 : 1);
}
const module = (await import(pathToFileURL(join(benchDir, `${name}.bench.ts`)).href)) as { benchmark: Benchmark };
console.log(`# ${name}: ${module.benchmark.description}`);
await module.benchmark.run(rest);
