/**
 * A process that records events as fast as it can (32 at a time) into the audit log of the data
 * folder given, printing the number of each event whose record() has answered: the crash test
 * kills it at a random moment and checks that every printed event survived.
 */
import { createDeskAuditLog } from '../../electron/core/audit/desk-audit-log';
import { sampleEvent, testSigner } from './audit';

const home = process.argv[2];
if (home === undefined) throw new Error('usage: audit-writer.ts <data folder>');
const log = createDeskAuditLog(home, { signer: testSigner(home), checkpointEvery: 50, segmentBytes: 64 * 1024 });
let next = 0;
await log.open();
process.stdout.write('ready\n');
await Promise.all(
  Array.from({ length: 32 }, async () => {
    for (;;) {
      const n = next++;
      await log.record(sampleEvent(n, { details: { n } }));
      process.stdout.write(`${n}\n`);
    }
  }),
);
