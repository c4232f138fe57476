/**
 * The stored contracts' check (run when the desk starts): a contract whose file no longer matches
 * its recorded SHA-256 is listed as damaged; a signed contract whose bytes were rewritten together
 * with their recorded hash (the file and the record both changed) still fails its signature and is
 * listed as "signature invalid"; untouched contracts stay signed. Real vault, real card signature
 * (virtual card in process), CardDesk's own verifier.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blankCard, letterText, lifecycleRig, READER, secretsIn, type LifecycleRig } from '../../../test/support/lifecycle-rig';
import { operator } from '../../../test/support/vault-fixtures';
import { asContractResult } from '../lifecycle/refusals';
import { CONTRACTS, contractsDirOf, currentVersion, type ContractRecord } from './contract-store';

let rig: LifecycleRig;

beforeAll(async () => {
  rig = await lifecycleRig();
  await rig.lifecycle.updatePolicy({ activation: 'holderSigns' }, operator);
}, 60_000);

afterAll(() => rig?.close());

/** A card issued and activated: its contract signed by the card. */
async function signedContract(n: number): Promise<string> {
  const holder = await rig.newHolder(n);
  rig.card = await blankCard();
  const issued = asContractResult(await rig.issuer.issue({ reader: READER, holderId: holder.id }, operator));
  if (!issued.ok) throw new Error(`issuance stopped at ${issued.step}: ${issued.reason}`);
  const { pin } = secretsIn(letterText(rig, issued.letters[0]!.fileName));
  const activated = await rig.activation.activate(READER, Buffer.from(pin), operator);
  if (!activated.ok) throw new Error(`activation failed: ${activated.reason}`);
  return issued.contractId;
}

const record = (id: string): ContractRecord => rig.vault.access.storage().records.get<ContractRecord>(CONTRACTS, id)!;
const statusOf = (id: string) => rig.contracts.list({ offset: 0, limit: 100 }).items.find((contract) => contract.id === id)?.status;

describe('checking the stored contracts', () => {
  it('lists a contract rewritten with its hash as signature invalid, a changed file as damaged, and leaves the others signed', async () => {
    const [intact, rewritten, changed] = [await signedContract(1), await signedContract(2), await signedContract(3)];
    const first = await rig.contracts.checkAll();
    expect(first).toEqual({ checked: 3, damaged: [], signatureInvalid: [] });
    expect([statusOf(intact), statusOf(rewritten), statusOf(changed)]).toEqual(['signed', 'signed', 'signed']);

    // One byte inside the holder's signed range changed, and the record's hash made to match: only the signature can tell.
    const rewrittenVersion = currentVersion(record(rewritten));
    const path = join(contractsDirOf(rig.home), rewrittenVersion.file);
    const bytes = readFileSync(path);
    // The header's binary comment (second line): still a readable PDF, but not the bytes the card signed.
    const at = bytes.indexOf('\n%') + 2;
    expect(bytes[at]).toBeGreaterThan(0x7f);
    bytes[at] = bytes[at] === 0xf0 ? 0xf1 : 0xf0;
    writeFileSync(path, bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const old = record(rewritten);
    const rehashed = { ...rewrittenVersion, sha256 };
    const next: ContractRecord = old.updates.length > 0 ? { ...old, updates: [...old.updates.slice(0, -1), rehashed] } : { ...old, signed: rehashed };
    await rig.vault.access.storage().records.commit([{ collection: CONTRACTS, id: rewritten, record: next }]);

    // The other one: its file changed, the record untouched.
    const changedPath = join(contractsDirOf(rig.home), currentVersion(record(changed)).file);
    writeFileSync(changedPath, Buffer.concat([readFileSync(changedPath), Buffer.from('\n% appended\n')]));

    const second = await rig.contracts.checkAll();
    expect(second).toEqual({ checked: 3, damaged: [changed], signatureInvalid: [rewritten] });
    expect([statusOf(intact), statusOf(rewritten), statusOf(changed)]).toEqual(['signed', 'signatureInvalid', 'damaged']);
    expect(rig.contracts.list({ status: 'signatureInvalid', offset: 0, limit: 100 }).items.map((contract) => contract.id)).toEqual([rewritten]);
    // The panel's own verification says the same, in the report the screen shows.
    const report = await rig.contracts.verify(rewritten);
    expect(report.signatures.find((signature) => !signature.documentTimestamp)?.integrity).toBe('modified');
    await expect(rig.contracts.document(changed, 'view', operator)).rejects.toMatchObject({ code: 'CONTRACT_DAMAGED' });
  }, 120_000);
});
