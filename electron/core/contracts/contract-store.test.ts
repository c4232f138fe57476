import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultAccess } from '../vault/vault-access';
import { contractsDirOf, ContractStore, type NewContract } from './contract-store';

let dataDir: string;
let access: VaultAccess;
let store: ContractStore;
const now = new Date('2026-12-06T08:00:00.000Z');

const pdf = (body: string): Uint8Array => new Uint8Array(Buffer.from(`%PDF-1.7\n${body}\n%%EOF\n`, 'latin1'));
const append = (bytes: Uint8Array, update: string): Uint8Array => new Uint8Array(Buffer.concat([bytes, Buffer.from(`${update}\n%%EOF\n`, 'latin1')]));
const hash = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function contract(id: string, overrides: Partial<NewContract> = {}): NewContract {
  return {
    id,
    holderId: 'holder-1',
    holderName: 'Ëndrit Kërçova',
    cardSerial: 'CDVC0001',
    certificateSerials: ['4F2A01', '4F2A02', '4F2A03'],
    language: 'sq',
    kind: 'issue',
    generatedAt: '2026-12-06T07:00:00.000Z',
    pages: 3,
    bytes: pdf(`contract ${id}`),
    ...overrides,
  };
}

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'carddesk-contracts-'));
  access = new VaultAccess(dataDir);
  store = new ContractStore(access, () => now);
});

afterEach(async () => {
  await access.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('ContractStore', () => {
  it('stores a generated contract in the vault folder and serves its bytes after checking them', async () => {
    const input = contract('CTR-1');
    const added = await store.add(input);
    expect(added).toMatchObject({ ok: true, sha256: hash(input.bytes) });
    const file = join(contractsDirOf(dataDir), 'CTR-1.unsigned.pdf');
    expect(new Uint8Array(await readFile(file))).toEqual(input.bytes);
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(store.get('CTR-1')).toMatchObject({ holderId: 'holder-1', cardSerial: 'CDVC0001', certificateSerials: ['4F2A01', '4F2A02', '4F2A03'], signedAt: null, signed: null, pages: 3 });
    const read = await store.read('CTR-1');
    expect(read).toMatchObject({ ok: true, sha256: hash(input.bytes), version: 'unsigned' });
    expect(read.ok && read.bytes).toEqual(input.bytes);
    expect(store.list()).toEqual([
      { id: 'CTR-1', holderId: 'holder-1', holderName: 'Ëndrit Kërçova', cardSerial: 'CDVC0001', language: 'sq', kind: 'issue', generatedAt: '2026-12-06T07:00:00.000Z', signedAt: null, status: 'awaitingSignature', sha256: hash(input.bytes), pages: 3 },
    ]);
    expect(await store.add(contract('CTR-1'))).toEqual({ ok: false, reason: 'exists' });
  });

  it('refuses ids that are not safe file names, and bytes that are not a PDF', async () => {
    expect(await store.add(contract('../CTR-1'))).toEqual({ ok: false, reason: 'invalidId' });
    expect(await store.add(contract('CTR.1'))).toEqual({ ok: false, reason: 'invalidId' });
    expect(await store.add(contract('CTR-2', { bytes: new Uint8Array(Buffer.from('<html>')) }))).toEqual({ ok: false, reason: 'notPdf' });
    expect(store.newId()).toMatch(/^CTR-20261206-[0-9A-F]{12}$/);
  });

  it('marks a contract signed once, only with an incremental update of its unsigned bytes', async () => {
    const input = contract('CTR-1');
    await store.add(input);
    // A rewritten file (what pdf-lib alone would produce) is not the signed contract.
    expect(await store.markSigned('CTR-1', pdf('contract CTR-1 rewritten and signed'))).toEqual({ ok: false, reason: 'notAnIncrementalUpdate' });
    expect(await store.markSigned('CTR-1', input.bytes)).toEqual({ ok: false, reason: 'notAnIncrementalUpdate' });
    const signedBytes = append(input.bytes, '1 0 obj << /Type /Sig >> endobj');
    const signedAt = new Date('2026-12-06T08:05:00.000Z');
    const signed = await store.markSigned('CTR-1', signedBytes, signedAt);
    expect(signed).toMatchObject({ ok: true, sha256: hash(signedBytes), record: { signedAt: '2026-12-06T08:05:00.000Z', signed: { sha256: hash(signedBytes) } } });
    expect(store.list()[0]).toMatchObject({ status: 'signed', signedAt: '2026-12-06T08:05:00.000Z', sha256: hash(signedBytes) });

    // Immutable: a second signature is refused and the stored bytes stay as they are.
    const again = append(input.bytes, '1 0 obj << /Type /Sig /Other true >> endobj');
    expect(await store.markSigned('CTR-1', again)).toEqual({ ok: false, reason: 'alreadySigned' });
    const read = await store.read('CTR-1');
    expect(read.ok && read.bytes).toEqual(signedBytes);
    expect(read).toMatchObject({ version: 'signed' });
    const unsigned = await store.read('CTR-1', 'unsigned');
    expect(unsigned.ok && unsigned.bytes).toEqual(input.bytes);
    expect(await store.markSigned('CTR-9', signedBytes)).toEqual({ ok: false, reason: 'notFound' });
  });

  it('accepts later updates (validation data) only when they keep every signed byte', async () => {
    const input = contract('CTR-1');
    await store.add(input);
    expect(await store.appendUpdate('CTR-1', append(input.bytes, 'dss'))).toEqual({ ok: false, reason: 'notSigned' });
    const signedBytes = append(input.bytes, 'signature');
    await store.markSigned('CTR-1', signedBytes);
    const tampered = Buffer.from(append(signedBytes, 'dss'));
    tampered[12] = 0x41;
    expect(await store.appendUpdate('CTR-1', new Uint8Array(tampered))).toEqual({ ok: false, reason: 'notAnIncrementalUpdate' });
    const withDss = append(signedBytes, 'dss');
    expect(await store.appendUpdate('CTR-1', withDss)).toMatchObject({ ok: true, sha256: hash(withDss) });
    const read = await store.read('CTR-1');
    expect(read).toMatchObject({ ok: true, version: 'updated', sha256: hash(withDss) });
    // The signed version's file is kept as it was.
    expect(new Uint8Array(await readFile(join(contractsDirOf(dataDir), 'CTR-1.signed.pdf')))).toEqual(signedBytes);
  });

  it('reports a contract whose file changed on disk as damaged and never serves its bytes', async () => {
    const input = contract('CTR-1');
    await store.add(input);
    const signedBytes = append(input.bytes, 'signature');
    await store.markSigned('CTR-1', signedBytes);
    const file = join(contractsDirOf(dataDir), 'CTR-1.signed.pdf');
    const changed = Buffer.from(signedBytes);
    changed.writeUInt8((changed.at(-12) ?? 0) ^ 0x01, changed.length - 12);
    await writeFile(file, changed);

    const read = await store.read('CTR-1');
    expect(read).toEqual({ ok: false, reason: 'damaged', record: store.get('CTR-1'), file: 'CTR-1.signed.pdf', expectedSha256: hash(signedBytes), actualSha256: hash(changed) });
    expect(read).not.toHaveProperty('bytes');
    expect(store.list()[0]?.status).toBe('damaged');
    expect(store.list({ status: 'damaged' }).map((summary) => summary.id)).toEqual(['CTR-1']);

    // Put back, it is served again.
    await writeFile(file, signedBytes);
    expect(await store.read('CTR-1')).toMatchObject({ ok: true });
    expect(store.list()[0]?.status).toBe('signed');

    // A missing file is damaged too.
    await rm(file);
    expect(await store.read('CTR-1')).toMatchObject({ ok: false, reason: 'damaged', actualSha256: null });
  });

  it('finds damaged contracts by hashing every stored version', async () => {
    await store.add(contract('CTR-1'));
    await store.add(contract('CTR-2'));
    await writeFile(join(contractsDirOf(dataDir), 'CTR-2.unsigned.pdf'), pdf('something else'));
    expect(await store.checkAll()).toEqual({ checked: 2, damaged: ['CTR-2'] });
    expect(store.list({ status: 'damaged' }).map((summary) => summary.id)).toEqual(['CTR-2']);
  });

  it('lists by holder, card, status, language and words of the name or a serial, accents ignored, newest first', async () => {
    await store.add(contract('CTR-1'));
    await store.add(contract('CTR-2', { holderId: 'holder-2', holderName: 'Giulia Rossà', cardSerial: 'CDVC0002', language: 'it', generatedAt: '2026-12-06T07:30:00.000Z', certificateSerials: ['77AA'] }));
    await store.add(contract('CTR-3', { kind: 'renewal', generatedAt: '2026-12-06T07:45:00.000Z' }));
    await store.markSigned('CTR-3', append(contract('CTR-3').bytes, 'signature'));
    const ids = (filter: Parameters<ContractStore['list']>[0]): string[] => store.list(filter).map((summary) => summary.id);
    expect(ids({})).toEqual(['CTR-3', 'CTR-2', 'CTR-1']);
    expect(ids({ holderId: 'holder-1' })).toEqual(['CTR-3', 'CTR-1']);
    expect(ids({ cardSerial: 'CDVC0002' })).toEqual(['CTR-2']);
    expect(ids({ status: 'signed' })).toEqual(['CTR-3']);
    expect(ids({ status: 'awaitingSignature' })).toEqual(['CTR-2', 'CTR-1']);
    expect(ids({ language: 'it' })).toEqual(['CTR-2']);
    expect(ids({ query: 'endrit kercova' })).toEqual(['CTR-3', 'CTR-1']);
    expect(ids({ query: 'rossa' })).toEqual(['CTR-2']);
    expect(ids({ query: '77aa' })).toEqual(['CTR-2']);
    expect(ids({ query: 'rossa kercova' })).toEqual([]);
  });

  it('keeps its records in the vault across a reopen', async () => {
    const input = contract('CTR-1');
    await store.add(input);
    await store.markSigned('CTR-1', append(input.bytes, 'signature'));
    await access.close();
    access = new VaultAccess(dataDir);
    store = new ContractStore(access, () => now);
    expect(store.list()).toHaveLength(1);
    expect(await store.read('CTR-1')).toMatchObject({ ok: true, version: 'signed' });
    expect(await store.markSigned('CTR-1', append(input.bytes, 'another'))).toEqual({ ok: false, reason: 'alreadySigned' });
  });

  it('signs a contract once when two signatures arrive together', async () => {
    const input = contract('CTR-1');
    await store.add(input);
    const results = await Promise.all([store.markSigned('CTR-1', append(input.bytes, 'first')), store.markSigned('CTR-1', append(input.bytes, 'second'))]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.find((result) => !result.ok)).toMatchObject({ ok: false, reason: 'busy' });
    expect((await readdir(contractsDirOf(dataDir))).sort()).toEqual(['CTR-1.signed.pdf', 'CTR-1.unsigned.pdf']);
  });

  it('leaves no file behind when the record cannot be written', async () => {
    const failing = new VaultAccess(dataDir, { appendLines: () => Promise.reject(new Error('disk full')) });
    await access.close();
    access = failing;
    store = new ContractStore(access, () => now);
    await expect(store.add(contract('CTR-1'))).rejects.toThrow('disk full');
    expect(store.get('CTR-1')).toBeUndefined();
    expect(await readdir(contractsDirOf(dataDir))).toEqual([]);
  });
});
