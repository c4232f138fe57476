/** Checks and normalises what an operator typed for a holder; each problem names its field. */
import type { HolderInput, HolderProblem } from '../../shared/schemas/holders';
import type { PersonalNumberRule } from '../../shared/schemas/vault';
import { checkPersonalNumber } from './personal-number';

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
/** E.164: a plus, a country code and at most 15 digits in all. */
const MOBILE = /^\+[1-9]\d{6,14}$/;
const DOCUMENT_NUMBER = /^[A-Z0-9-]{1,40}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/**
 * Control characters and the Unicode bidirectional controls (embeddings, overrides, isolates, marks):
 * in a name they hide or reorder what the operator, a letter or a certificate shows (CVE-2021-42574).
 */
const CONTROL = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

export function hasControlCharacter(value: string): boolean {
  return CONTROL.test(value);
}

export function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (match === null) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

const POSTCODE = /^[A-Z0-9](?:[A-Z0-9 -]{0,10}[A-Z0-9])?$/;
/** ISO 3166-1 alpha-2 (XK for Kosovo is the user-assigned code everyone uses). */
const COUNTRY = /^[A-Z]{2}$/;

/**
 * An address is empty or mailable: street, postcode and city together (the country may be left
 * out for mail within the desk's own country).
 */
function checkAddress(value: HolderInput, fields: readonly ['street' | 'contactStreet', 'postcode' | 'contactPostcode', 'city' | 'contactCity', 'country' | 'contactCountry'], problems: HolderProblem[]): void {
  const [street, postcode, city, country] = fields;
  if (fields.every((field) => value[field] === '')) return;
  for (const field of [street, postcode, city]) if (value[field] === '') problems.push({ field, code: 'required' });
  for (const field of [street, city]) if (value[field].length > 100) problems.push({ field, code: 'tooLong' });
  if (value[postcode] !== '' && !POSTCODE.test(value[postcode])) problems.push({ field: postcode, code: 'invalid' });
  if (value[country] !== '' && !COUNTRY.test(value[country])) problems.push({ field: country, code: 'invalid' });
}

export function checkHolder(input: HolderInput, rule: PersonalNumberRule): { value: HolderInput; problems: HolderProblem[] } {
  const problems: HolderProblem[] = [];
  const trim = (s: string): string => s.trim().replace(/\s+/g, ' ');
  const value: HolderInput = {
    ...input,
    firstName: trim(input.firstName),
    lastName: trim(input.lastName),
    email: input.email.trim().toLowerCase(),
    mobile: input.mobile.replace(/[\s().-]/g, ''),
    organisation: trim(input.organisation),
    contactPerson: trim(input.contactPerson),
    documentNumber: input.documentNumber.replace(/\s/g, '').toUpperCase(),
    documentExpiry: input.documentExpiry.trim(),
    street: trim(input.street),
    postcode: trim(input.postcode).toUpperCase(),
    city: trim(input.city),
    country: input.country.trim().toUpperCase(),
    contactStreet: trim(input.contactStreet),
    contactPostcode: trim(input.contactPostcode).toUpperCase(),
    contactCity: trim(input.contactCity),
    contactCountry: input.contactCountry.trim().toUpperCase(),
  };

  const personalNumber = hasControlCharacter(input.personalNumber) ? null : checkPersonalNumber(input.personalNumber, rule);
  if (personalNumber === null) problems.push({ field: 'personalNumber', code: 'controlCharacter' });
  else if (personalNumber.ok) value.personalNumber = personalNumber.value;
  else problems.push({ field: 'personalNumber', code: personalNumber.code });

  // Checked on what was typed, before spaces are tidied (a tab or line break is not a space).
  for (const field of ['firstName', 'lastName'] as const) {
    if (hasControlCharacter(input[field])) problems.push({ field, code: 'controlCharacter' });
    else if (value[field] === '') problems.push({ field, code: 'required' });
    else if (value[field].length > 100) problems.push({ field, code: 'tooLong' });
  }
  for (const field of ['organisation', 'contactPerson'] as const) {
    if (hasControlCharacter(input[field])) problems.push({ field, code: 'controlCharacter' });
    else if (value[field].length > 200) problems.push({ field, code: 'tooLong' });
  }
  if (value.email !== '' && (value.email.length > 254 || !EMAIL.test(value.email))) problems.push({ field: 'email', code: 'invalid' });
  if (value.mobile !== '' && !MOBILE.test(value.mobile)) problems.push({ field: 'mobile', code: 'invalid' });
  if (value.documentNumber !== '' && !DOCUMENT_NUMBER.test(value.documentNumber)) problems.push({ field: 'documentNumber', code: 'invalid' });
  if (value.documentExpiry !== '' && !isCalendarDate(value.documentExpiry)) problems.push({ field: 'documentExpiry', code: 'invalid' });
  if (value.documentNumber !== '' && value.documentExpiry === '') problems.push({ field: 'documentExpiry', code: 'required' });
  checkAddress(value, ['street', 'postcode', 'city', 'country'], problems);
  checkAddress(value, ['contactStreet', 'contactPostcode', 'contactCity', 'contactCountry'], problems);
  // A contact address is where the contact person is reached: it needs the person.
  if (value.contactPerson === '' && value.contactStreet !== '') problems.push({ field: 'contactPerson', code: 'required' });
  return { value, problems };
}

/**
 * One account field as the holder form would tidy and check it, for the account services (a
 * contact change, a submitted identity document): the tidied value, and whether it is valid.
 * Empty is not valid here: these changes always give a value.
 */
export function checkAccountField(field: 'email' | 'mobile' | 'documentNumber' | 'documentExpiry', raw: string): { value: string; ok: boolean } {
  if (hasControlCharacter(raw)) return { value: raw, ok: false };
  switch (field) {
    case 'email': {
      const value = raw.trim().toLowerCase();
      return { value, ok: value !== '' && value.length <= 254 && EMAIL.test(value) };
    }
    case 'mobile': {
      const value = raw.replace(/[\s().-]/g, '');
      return { value, ok: value !== '' && MOBILE.test(value) };
    }
    case 'documentNumber': {
      const value = raw.replace(/\s/g, '').toUpperCase();
      return { value, ok: value !== '' && DOCUMENT_NUMBER.test(value) };
    }
    case 'documentExpiry': {
      const value = raw.trim();
      return { value, ok: value !== '' && isCalendarDate(value) };
    }
  }
}
