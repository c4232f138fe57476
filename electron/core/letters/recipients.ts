/**
 * Who a letter is addressed to, as the window of the envelope shows it: the holder (or the contact
 * person) with the organisation, street, postcode and city, and the country's name in the letter's
 * language, in capitals on the last line (UPU S42, DIN 5008).
 */
import type { Holder } from '../../shared/schemas/holders';
import type { LetterLanguage } from './letter-texts';
import type { LetterRecipient } from './pin-letters';

export function holderName(holder: Pick<Holder, 'firstName' | 'lastName'>): string {
  return `${holder.firstName} ${holder.lastName}`;
}

function countryName(code: string, language: LetterLanguage): string {
  if (code === '') return '';
  return (new Intl.DisplayNames([language], { type: 'region', fallback: 'code' }).of(code) ?? code).toLocaleUpperCase(language);
}

export function recipientOf(holder: Holder, who: 'holder' | 'contactPerson', language: LetterLanguage): LetterRecipient {
  const contact = who === 'contactPerson' && holder.contactPerson !== '';
  const [street, postcode, city, country] = contact
    ? [holder.contactStreet, holder.contactPostcode, holder.contactCity, holder.contactCountry]
    : [holder.street, holder.postcode, holder.city, holder.country];
  return {
    name: contact ? holder.contactPerson : holderName(holder),
    addressLines: [holder.organisation, street, `${postcode} ${city}`.trim(), countryName(country, language)].filter((line) => line !== ''),
  };
}

/**
 * Who receives the user number under the issuance policy's rule (VECOZO: the user number and the
 * PIN by separate channels): the contact person when the rule says so and the holder has one,
 * otherwise the holder. The PIN letters and the lost-info re-send both decide by this.
 */
export function userNumberRecipient(holder: Pick<Holder, 'contactPerson'>, rule: 'holder' | 'contactPerson'): 'holder' | 'contactPerson' {
  return rule === 'contactPerson' && holder.contactPerson !== '' ? 'contactPerson' : 'holder';
}
