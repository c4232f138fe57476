import { describe, expect, it } from 'vitest';
import { holderAccountDefaults, type Holder } from '../../shared/schemas/holders';
import { emptyHolderInput } from '../../shared/holder-defaults';
import { recipientOf } from './recipients';

const holder: Holder = {
  ...emptyHolderInput,
  ...holderAccountDefaults,
  id: 'h1',
  userNumber: '12345678901234',
  createdAt: '',
  updatedAt: '',
  version: 1,
  firstName: 'Arbër',
  lastName: 'Çela',
  organisation: 'Example Org',
  contactPerson: 'Drita Krasniqi',
  street: 'Rruga B 12',
  postcode: '10000',
  city: 'Prishtinë',
  country: 'XK',
  contactStreet: 'Dam 1',
  contactPostcode: '1012 JS',
  contactCity: 'Amsterdam',
  contactCountry: 'NL',
};

describe('letter recipients', () => {
  it('address the holder with the country named in the letter’s language, in capitals', () => {
    expect(recipientOf(holder, 'holder', 'sq')).toEqual({ name: 'Arbër Çela', addressLines: ['Example Org', 'Rruga B 12', '10000 Prishtinë', 'KOSOVË'] });
  });

  it('address the contact person at the contact address', () => {
    expect(recipientOf(holder, 'contactPerson', 'nl')).toEqual({ name: 'Drita Krasniqi', addressLines: ['Example Org', 'Dam 1', '1012 JS Amsterdam', 'NEDERLAND'] });
  });

  it('leave out what is not known', () => {
    expect(recipientOf({ ...holder, organisation: '', street: '', postcode: '', city: '', country: '' }, 'holder', 'en')).toEqual({ name: 'Arbër Çela', addressLines: [] });
  });
});
