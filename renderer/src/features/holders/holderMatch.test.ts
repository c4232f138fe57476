import { describe, expect, it } from 'vitest';
import { emptyAddress } from '@shared/holder-defaults';
import { holderAccountDefaults, type Holder } from '@shared/schemas/holders';
import { matchedFields } from './holderMatch';

const ada: Holder = {
  ...holderAccountDefaults,
  id: 'h-1',
  userNumber: '41234567890123',
  personalNumber: 'AB1234567',
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'countess@example.org',
  mobile: '+44 20 7946 0000',
  organisation: 'Analytical Engines',
  contactPerson: 'Charles Babbage',
  documentNumber: 'P9988776',
  documentExpiry: '2030-01-01',
  ...emptyAddress,
  language: 'en',
  state: 'active',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
};

describe('why a holder matched', () => {
  it('names the field that holds each typed word', () => {
    expect(matchedFields(ada, 'lovelace')).toEqual(['lastName']);
    expect(matchedFields(ada, 'ab1234567')).toEqual(['personalNumber']);
    expect(matchedFields(ada, '4123456789')).toEqual(['userNumber']);
    expect(matchedFields(ada, 'countess')).toEqual(['email']);
    expect(matchedFields(ada, 'babbage')).toEqual(['contactPerson']);
    expect(matchedFields(ada, 'ada engines')).toEqual(['firstName', 'organisation']);
  });

  it('folds accents and case, and ignores dashes in numbers', () => {
    expect(matchedFields({ ...ada, lastName: 'Çelik' }, 'celik')).toEqual(['lastName']);
    expect(matchedFields(ada, 'AB-1234-567')).toEqual(['personalNumber']);
  });

  it('explains nothing when nothing was typed or nothing matches', () => {
    expect(matchedFields(ada, '  ')).toEqual([]);
    expect(matchedFields(ada, 'hopper')).toEqual([]);
  });
});
