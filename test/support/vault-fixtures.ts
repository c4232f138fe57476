/** Shared helpers for vault, directory and CA tests: valid personal numbers, holders, an operator. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mod11_10CheckDigit } from '../../electron/core/directory/check-digits';
import { emptyAddress } from '../../electron/shared/holder-defaults';
import type { HolderInput } from '../../electron/shared/schemas/holders';
import type { OperationContext } from '../../electron/core/operation-context';

export const operator: OperationContext = { actor: { kind: 'operator', id: 'tester' }, channel: 'cli' };

export const PASSPHRASE = 'correct horse battery staple';

/** A 10-digit personal number that passes the default rule (ISO 7064 MOD 11-10). */
export function personalNumber(n: number): string {
  const body = String(100_000_000 + n).padStart(9, '0').slice(-9);
  return `${body}${mod11_10CheckDigit(body)}`;
}

export function holderInput(n: number, overrides: Partial<HolderInput> = {}): HolderInput {
  return {
    personalNumber: personalNumber(n),
    firstName: `First${n}`,
    lastName: `Last${n}`,
    email: `holder${n}@example.org`,
    mobile: '+38344123456',
    organisation: 'Example Org',
    contactPerson: '',
    documentNumber: '',
    documentExpiry: '',
    language: 'en',
    state: 'active',
    ...emptyAddress,
    ...overrides,
  };
}

export function tempHome(prefix = 'carddesk-vault-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
