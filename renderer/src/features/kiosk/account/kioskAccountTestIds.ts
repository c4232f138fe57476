import { lostInfoIds } from '../../../components/LostInfoForm';
/** Test ids of the kiosk's contact, document and lost-info panels (issue 15). */
export const kioskContactTestIds = {
  panel: 'kiosk-account-contact',
  email: 'kiosk-account-contact-email',
  mobile: 'kiosk-account-contact-mobile',
  cooldown: 'kiosk-account-contact-cooldown',
  change: (field: string) => `kiosk-account-contact-change-${field}`,
  verify: (field: string) => `kiosk-account-contact-verify-${field}`,
  newValue: 'kiosk-account-contact-new-value',
  sendCodes: 'kiosk-account-contact-send-codes',
  sent: 'kiosk-account-contact-sent',
  oldCode: 'kiosk-account-contact-old-code',
  newCode: 'kiosk-account-contact-new-code',
  secondFactorCode: 'kiosk-account-contact-second-factor',
  confirm: 'kiosk-account-contact-confirm',
  message: 'kiosk-account-contact-message',
} as const;

export const kioskDocumentTestIds = {
  panel: 'kiosk-account-document',
  expiry: 'kiosk-account-document-expiry',
  expiresSoon: 'kiosk-account-document-expires-soon',
  pending: 'kiosk-account-document-pending',
  number: 'kiosk-account-document-number',
  expiryInput: 'kiosk-account-document-expiry-input',
  file: 'kiosk-account-document-file',
  submit: 'kiosk-account-document-submit',
  message: 'kiosk-account-document-message',
} as const;

export const lostInfoTestIds = lostInfoIds('kiosk-lost-info');
