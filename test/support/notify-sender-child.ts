/**
 * The notification kill trials' victim (issue 15 §8): opens the outbox of a data folder with the
 * vault key the trial gave it (CARDDESK_TEST_DEK, hex: a throwaway key of a throwaway vault), and
 * drains it through the real sender and nodemailer to the trial's SMTP server, printing "ready"
 * when open and "done" once nothing is due. The trial SIGKILLs it at random moments.
 *
 * Run as a bundled script: node notify-sender-child.cjs <dataDir>.
 */
import { writeSync } from 'node:fs';
import { notifyRig } from './notify-rig';

const [dir] = process.argv.slice(2);
const dek = process.env['CARDDESK_TEST_DEK'];
if (dir === undefined || dek === undefined) throw new Error('usage: CARDDESK_TEST_DEK=<hex> notify-sender-child <dataDir>');
const rig = notifyRig({ dir, dek: Buffer.from(dek, 'hex') });
rig.access.storage();
writeSync(1, 'ready\n');
const result = await rig.sender.drain();
await rig.close();
writeSync(1, `done ${JSON.stringify(result)}\n`);
