/** Contract data and paths the contract tests (and the benchmark) share. */
import { resolve } from 'node:path';
import type { ContractData } from './contract-data';

export const CONTRACT_RESOURCES = resolve(import.meta.dirname, '..', '..', '..', '..', 'resources', 'contracts');

/** A holder whose names need Latin Extended letters (Albanian ë and ç, Italian à). */
export const sampleContract: ContractData = {
  contractId: 'CTR-2026-000123',
  kind: 'issue',
  generatedAt: '2026-12-06T07:00:00.000Z',
  holder: { givenName: 'Ëndrit Çlirim', surname: 'Kërçova Àlvaro', personalNumber: '1234567890', userNumber: '40392817465012', organisation: 'Ministria e Punëve të Brendshme' },
  card: { serial: 'CDVC0011223344' },
  issuer: { organisation: 'Agjencia Shtetërore e Certifikimit' },
  certificates: [
    { serialNumber: '4F2A9C0011AB77', profile: 'authentication', notBefore: '2026-12-06T07:00:00.000Z', notAfter: '2029-12-05T23:59:59.000Z' },
    { serialNumber: '4F2A9C0011AC88', profile: 'signature', notBefore: '2026-12-06T07:00:00.000Z', notAfter: '2029-12-05T23:59:59.000Z' },
    { serialNumber: '4F2A9C0011AD99', profile: 'encryption', notBefore: '2026-12-06T07:00:00.000Z', notAfter: '2029-12-05T23:59:59.000Z' },
  ],
};
