import type { HolderInput } from '@shared/schemas/holders';

/** The form's fields in order; keys double as i18n keys (users.fields.<name>). */
export const holderFormFields = [
  'personalNumber',
  'firstName',
  'lastName',
  'email',
  'mobile',
  'organisation',
  'contactPerson',
  'documentNumber',
  'documentExpiry',
] as const satisfies readonly (keyof HolderInput)[];

/** The holder's postal address and the contact person's, each shown as its own group. */
export const addressFormFields = ['street', 'postcode', 'city', 'country'] as const satisfies readonly (keyof HolderInput)[];
export const contactAddressFormFields = ['contactStreet', 'contactPostcode', 'contactCity', 'contactCountry'] as const satisfies readonly (keyof HolderInput)[];

/** The two address groups of the holder form, with the i18n key of each group's title. */
export const addressGroups = [
  { title: 'users.address', fields: addressFormFields },
  { title: 'users.contactAddress', fields: contactAddressFormFields },
] as const;

/** The holder's address and the contact person's as one line each (for the holder's page). */
export function addressLines(holder: HolderInput): { fact: 'address' | 'contactAddress'; text: string }[] {
  const line = (parts: readonly string[]): string => parts.filter((part) => part !== '').join(', ');
  return [
    { fact: 'address', text: line([holder.street, `${holder.postcode} ${holder.city}`.trim(), holder.country]) },
    { fact: 'contactAddress', text: line([holder.contactStreet, `${holder.contactPostcode} ${holder.contactCity}`.trim(), holder.contactCountry]) },
  ];
}

export { holderLanguages, holderStates } from '@shared/enums';
