/**
 * What a contract says about its holder, card and certificates, and how each value is written in
 * the contract's language (dates, the kind of contract, a certificate's use). The words printed by
 * the document itself (footer, page numbers) are here too; the rest of the wording is the template.
 */
import type { certificateProfiles, contractKinds, holderLanguages } from '../../../shared/enums';
import type { PlaceholderName } from './template';

export type ContractKind = (typeof contractKinds)[number];
export type ContractLanguage = (typeof holderLanguages)[number];
export type CertificateProfile = (typeof certificateProfiles)[number];

export interface ContractCertificate {
  /** Hex, upper case, no separators. */
  readonly serialNumber: string;
  readonly profile: CertificateProfile;
  /** ISO 8601. */
  readonly notBefore: string;
  readonly notAfter: string;
}

export interface ContractData {
  /** The contract's identifier: printed in every footer and the seed of the PDF's document ID. */
  readonly contractId: string;
  readonly kind: ContractKind;
  /** ISO 8601: the contract's date, and the PDF's creation date (so the same data gives the same bytes). */
  readonly generatedAt: string;
  readonly holder: {
    readonly givenName: string;
    readonly surname: string;
    readonly personalNumber: string;
    readonly userNumber: string;
    readonly organisation: string;
  };
  readonly card: { readonly serial: string };
  readonly issuer: { readonly organisation: string };
  readonly certificates: readonly ContractCertificate[];
}

interface LanguageWords {
  readonly locale: string;
  readonly kinds: Record<ContractKind, string>;
  readonly profiles: Record<CertificateProfile, string>;
  readonly footer: (contractId: string) => string;
  readonly pageOf: (page: number, pages: number) => string;
  /** The PDF's title (document properties). */
  readonly title: string;
}

export const CONTRACT_WORDS: Record<ContractLanguage, LanguageWords> = {
  en: {
    locale: 'en-GB',
    kinds: { issue: 'issue of a new card', renewal: 'renewal of the certificates on the card', replacement: 'replacement of a lost, stolen or damaged card' },
    profiles: { authentication: 'Authentication', signature: 'Digital signature', encryption: 'Encryption', cardAuthentication: 'Card authentication', ocspSigning: 'OCSP signing', operator: 'Operator', timeStamping: 'Time-stamping' },
    footer: (id) => `Contract ${id}`,
    pageOf: (page, pages) => `Page ${page} of ${pages}`,
    title: 'Smart card holder agreement',
  },
  sq: {
    locale: 'sq-AL',
    kinds: { issue: 'lëshim i një karte të re', renewal: 'rinovim i certifikatave në kartë', replacement: 'zëvendësim i një karte të humbur, të vjedhur ose të dëmtuar' },
    profiles: { authentication: 'Autentikim', signature: 'Nënshkrim digjital', encryption: 'Enkriptim', cardAuthentication: 'Vërtetim i kartës', ocspSigning: 'Nënshkrim OCSP', operator: 'Operator', timeStamping: 'Vulosje kohore' },
    footer: (id) => `Kontrata ${id}`,
    pageOf: (page, pages) => `Faqja ${page} nga ${pages}`,
    title: 'Marrëveshje për mbajtësin e kartës inteligjente',
  },
  it: {
    locale: 'it-IT',
    kinds: { issue: 'rilascio di una nuova carta', renewal: 'rinnovo dei certificati sulla carta', replacement: 'sostituzione di una carta smarrita, rubata o danneggiata' },
    profiles: { authentication: 'Autenticazione', signature: 'Firma digitale', encryption: 'Cifratura', cardAuthentication: 'Autenticazione della carta', ocspSigning: 'Firma OCSP', operator: 'Operatore', timeStamping: 'Marcatura temporale' },
    footer: (id) => `Contratto ${id}`,
    pageOf: (page, pages) => `Pagina ${page} di ${pages}`,
    title: 'Contratto per il titolare della smart card',
  },
  nl: {
    locale: 'nl-NL',
    kinds: { issue: 'uitgifte van een nieuwe kaart', renewal: 'vernieuwing van de certificaten op de kaart', replacement: 'vervanging van een verloren, gestolen of beschadigde kaart' },
    profiles: { authentication: 'Authenticatie', signature: 'Digitale handtekening', encryption: 'Versleuteling', cardAuthentication: 'Pasauthenticatie', ocspSigning: 'OCSP-ondertekening', operator: 'Operator', timeStamping: 'Tijdstempeling' },
    footer: (id) => `Contract ${id}`,
    pageOf: (page, pages) => `Pagina ${page} van ${pages}`,
    title: 'Overeenkomst voor de houder van de smartcard',
  },
};

/** A date as the contract's language writes it, in UTC (so the same data gives the same text anywhere). */
export function formatContractDate(iso: string, language: ContractLanguage): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return dateFormatOf(language).format(date);
}

/** One formatter per language: making an Intl.DateTimeFormat costs more than the rest of a contract's text. */
const dateFormats = new Map<ContractLanguage, Intl.DateTimeFormat>();
function dateFormatOf(language: ContractLanguage): Intl.DateTimeFormat {
  let format = dateFormats.get(language);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(CONTRACT_WORDS[language].locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
    dateFormats.set(language, format);
  }
  return format;
}

/** The value of every placeholder outside the certificates block. */
export function documentValues(data: ContractData, language: ContractLanguage): Record<Exclude<PlaceholderName, `certificate.${string}`>, string> {
  const words = CONTRACT_WORDS[language];
  return {
    'holder.givenName': data.holder.givenName,
    'holder.surname': data.holder.surname,
    'holder.fullName': `${data.holder.givenName} ${data.holder.surname}`.trim(),
    'holder.personalNumber': data.holder.personalNumber,
    'holder.userNumber': data.holder.userNumber,
    'holder.organisation': data.holder.organisation,
    'card.serial': data.card.serial,
    'issuer.organisation': data.issuer.organisation,
    'contract.id': data.contractId,
    'contract.date': formatContractDate(data.generatedAt, language),
    'contract.kind': words.kinds[data.kind],
  };
}

/** The value of each certificate placeholder for one certificate. */
export function certificateValues(certificate: ContractCertificate, language: ContractLanguage): Record<Extract<PlaceholderName, `certificate.${string}`>, string> {
  return {
    'certificate.serialNumber': certificate.serialNumber,
    'certificate.profile': CONTRACT_WORDS[language].profiles[certificate.profile],
    'certificate.validFrom': formatContractDate(certificate.notBefore, language),
    'certificate.validUntil': formatContractDate(certificate.notAfter, language),
  };
}
