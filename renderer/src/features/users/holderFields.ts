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

export const holderStates = ['active', 'suspended', 'disabled'] as const satisfies readonly HolderInput['state'][];
export const holderLanguages = ['en', 'sq', 'it', 'nl'] as const satisfies readonly HolderInput['language'][];

export const emptyHolder: HolderInput = {
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
};
