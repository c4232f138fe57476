/**
 * A holder before anything is typed: plain constants (no schema code), so the desk's form in the
 * renderer starts from the same values as the CLI and the directory.
 */
import type { HolderInput } from './schemas/holders';

/** The address fields, each empty. */
export const emptyAddress = {
  street: '',
  postcode: '',
  city: '',
  country: '',
  contactStreet: '',
  contactPostcode: '',
  contactCity: '',
  contactCountry: '',
} as const satisfies Partial<HolderInput>;

/** A new holder before anything is typed: the desk's form and the CLI start from it. */
export const emptyHolderInput: HolderInput = {
  personalNumber: '',
  firstName: '',
  lastName: '',
  email: '',
  mobile: '',
  organisation: '',
  contactPerson: '',
  documentNumber: '',
  documentExpiry: '',
  language: 'en',
  state: 'active',
  ...emptyAddress,
};
