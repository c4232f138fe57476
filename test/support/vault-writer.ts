/**
 * The crash test's victim: opens a vault and performs crashOp(0), crashOp(1), … for ever, printing
 * "<i>\n" after each write returned (acknowledged). Compaction is set very low so kills also land
 * in the middle of snapshot writes and journal switches. Run as a bundled script: node writer.cjs <dataDir>.
 */
import { writeSync } from 'node:fs';
import { VaultStorage } from '../../electron/core/vault/vault-storage';
import { crashOp } from './crash-ops';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: vault-writer <dataDir>');

async function main(dir: string): Promise<void> {
  const storage = VaultStorage.open(dir, { compactAfterBytes: 24 * 1024 });
  writeSync(1, 'open\n');
  for (let i = 0; ; i += 1) {
    const op = crashOp(i);
    if (op.kind === 'meta') await storage.updateMeta((meta) => ({ ...meta, settings: { ...meta.settings, idleLockMinutes: op.idleLockMinutes } }));
    else await storage.records.commit(op.changes);
    writeSync(1, `${i}\n`);
  }
}

void main(dataDir);
