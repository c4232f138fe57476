import { z } from 'zod';
import { cardRecordStates, holderLanguages, holderStates } from '../enums';

export const HolderStateSchema = z.enum(holderStates);
export type HolderState = z.infer<typeof HolderStateSchema>;

export const HolderLanguageSchema = z.enum(holderLanguages);

const text = (max: number) => z.string().max(max);

/**
 * What an operator types for a holder. Strings as typed: the directory checks each field and
 * answers with per-field problems, so the form and the CSV report say exactly what is wrong.
 */
export const HolderInputSchema = z.object({
  personalNumber: text(64),
  firstName: text(200),
  lastName: text(200),
  email: text(320),
  mobile: text(64),
  organisation: text(200),
  contactPerson: text(200),
  documentNumber: text(64),
  /** YYYY-MM-DD, or empty. */
  documentExpiry: text(32),
  language: HolderLanguageSchema,
  state: HolderStateSchema,
  // The postal address PIN letters are mailed to (window envelopes, DIN 5008), and the contact
  // person's. Optional in what is sent, so older callers and files without them still work.
  street: text(200).default(''),
  postcode: text(32).default(''),
  city: text(200).default(''),
  /** ISO 3166-1 alpha-2 (XK, AL, IT, NL), or empty. */
  country: text(8).default(''),
  contactStreet: text(200).default(''),
  contactPostcode: text(32).default(''),
  contactCity: text(200).default(''),
  contactCountry: text(8).default(''),
});
export type HolderInput = z.infer<typeof HolderInputSchema>;
export const holderFields = HolderInputSchema.keyof().options;
export type HolderField = (typeof holderFields)[number];

export const HolderSchema = HolderInputSchema.extend({
  id: z.string(),
  /** 14 digits, random, the last one a Luhn check digit; printed on PIN letters. */
  userNumber: z.string().regex(/^\d{14}$/),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Increases with every change; an update names the version it edited. */
  version: z.number().int(),
  // Managed by the directory's account services (issue 15), never typed by an operator in the
  // holder form: holders stored before these existed read as not verified, with no cooldown.
  /** The email address was confirmed with a one-time code sent to it. */
  emailVerified: z.boolean().default(false),
  /** The mobile number was confirmed with a one-time code sent to it. */
  mobileVerified: z.boolean().default(false),
  /** ISO time until which a change of a recovery contact (email, mobile) is refused, or empty. */
  contactCooldownUntil: z.string().default(''),
});
export type Holder = z.infer<typeof HolderSchema>;
/** The directory-managed account fields and their values for a holder stored before them. */
export const holderAccountDefaults = { emailVerified: false, mobileVerified: false, contactCooldownUntil: '' } as const;

export const HolderProblemSchema = z.object({
  field: z.enum(holderFields),
  code: z.enum(['required', 'invalid', 'checkDigit', 'duplicate', 'tooLong', 'controlCharacter']),
});
export type HolderProblem = z.infer<typeof HolderProblemSchema>;

export const HolderSaveResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), holder: HolderSchema }),
  z.object({ ok: z.literal(false), problems: z.array(HolderProblemSchema) }),
]);
export type HolderSaveResult = z.infer<typeof HolderSaveResultSchema>;

export const holderSortFields = ['lastName', 'firstName', 'personalNumber', 'userNumber', 'email', 'organisation', 'state', 'documentExpiry', 'updatedAt'] as const;
export const HolderSortFieldSchema = z.enum(holderSortFields);
export type HolderSortField = z.infer<typeof HolderSortFieldSchema>;

export const HolderSearchArgsSchema = z.object({
  /** Words that must all appear in some field (case and accents ignored). */
  query: z.string().max(200).default(''),
  state: HolderStateSchema.optional(),
  language: HolderLanguageSchema.optional(),
  sort: HolderSortFieldSchema.default('lastName'),
  direction: z.enum(['asc', 'desc']).default('asc'),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(25),
});
export type HolderSearchArgs = z.input<typeof HolderSearchArgsSchema>;
export type HolderSearchQuery = z.output<typeof HolderSearchArgsSchema>;

export const HolderSearchResultSchema = z.object({ total: z.number().int(), items: z.array(HolderSchema) });
export type HolderSearchResult = z.infer<typeof HolderSearchResultSchema>;

export const CardRecordStateSchema = z.enum(cardRecordStates);
export type CardRecordState = z.infer<typeof CardRecordStateSchema>;

export const CardRecordSchema = z.object({
  serial: z.string(),
  holderId: z.string().nullable(),
  state: CardRecordStateSchema,
  /** Where the card may go from here (the life cycle, decided by the directory). */
  nextStates: z.array(CardRecordStateSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CardRecord = z.infer<typeof CardRecordSchema>;

export const CsvRowReportSchema = z.object({
  /** 1-based line in the file (the header is line 1). */
  line: z.number().int(),
  personalNumber: z.string(),
  problems: z.array(HolderProblemSchema),
});
export type CsvRowReport = z.infer<typeof CsvRowReportSchema>;

/** Either every row was imported, or none was and each bad row says why. */
export const CsvImportResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), imported: z.number().int() }),
  z.object({
    ok: z.literal(false),
    rows: z.number().int(),
    /** Problems with the file itself (missing, unknown or repeated columns, not UTF-8); `line` is the physical line where known. */
    fileProblems: z.array(
      z.object({
        code: z.enum(['missingColumn', 'unknownColumn', 'empty', 'unbalancedQuotes', 'invalidEncoding', 'duplicateColumn']),
        column: z.string(),
        line: z.number().int().optional(),
      }),
    ),
    badRows: z.array(CsvRowReportSchema),
  }),
]);
export type CsvImportResult = z.infer<typeof CsvImportResultSchema>;
