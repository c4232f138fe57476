/**
 * What the CLI prints when input is refused: sentences, never a schema's raw issue list
 * (issue 11 §7). Schema issues name the option they came from (`crlUrl` → `--crl-url`).
 */
import { InvalidArgumentError } from 'commander';
import { ZodError } from 'zod';
import type { CsvImportResult, HolderField, HolderProblem } from '../shared/schemas/holders';
import { isCalendarDate } from '../core/directory/holder-validation';

const optionName = (key: PropertyKey | undefined): string => (typeof key === 'string' ? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : 'the value');

type Issue = ZodError['issues'][number];

function describeIssue(issue: Issue): string {
  const name = optionName(issue.path[0]);
  const detail = issue as Issue & { maximum?: number | bigint; minimum?: number | bigint; format?: string; values?: unknown[]; origin?: string; expected?: string; input?: unknown };
  const unit = detail.origin === 'string' ? ' characters' : detail.origin === 'array' ? ' values' : '';
  switch (issue.code) {
    case 'too_big':
      return `${name} must be at most ${String(detail.maximum)}${unit}.`;
    case 'too_small':
      return `${name} must be at least ${String(detail.minimum)}${unit}.`;
    case 'invalid_format':
      return `${name} must be ${detail.format === 'url' ? 'a URL' : detail.format === 'email' ? 'an email address' : `in the expected form (${detail.format ?? 'pattern'})`}.`;
    case 'invalid_value':
      return `${name} must be one of ${(detail.values ?? []).map(String).join(', ')}.`;
    case 'invalid_type':
      return detail.input === undefined ? `${name} is missing.` : `${name} must be a ${detail.expected ?? 'different kind of value'}.`;
    default:
      return `${name} is not valid (${issue.message}).`;
  }
}

/** One line for the terminal from any error a command threw. */
export function describeCliError(error: unknown): string {
  if (error instanceof ZodError) return error.issues.map(describeIssue).join(' ');
  return (error as Error).message;
}

/**
 * A bare date (YYYY-MM-DD, midnight UTC) or an ISO 8601 time with its zone, checked against the
 * calendar: 2026-02-30 is an error, not 2 March.
 */
export function strictInstant(value: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(value);
  if (match === null) throw new InvalidArgumentError(`"${value}" is not a date (YYYY-MM-DD) or an ISO 8601 time with its zone (2026-05-01T08:00:00Z).`);
  const [, date = '', hours, minutes, seconds, zone] = match;
  if (!isCalendarDate(date)) throw new InvalidArgumentError(`${date} is not a date in the calendar.`);
  if (hours === undefined) return `${date}T00:00:00.000Z`;
  const zoneOk = zone === 'Z' || (zone !== undefined && Number(zone.slice(1, 3)) <= 23 && Number(zone.slice(4)) <= 59);
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds ?? 0) > 59 || !zoneOk) throw new InvalidArgumentError(`"${value}" is not a time of day.`);
  return new Date(value).toISOString();
}

const fieldNames: Record<HolderField, string> = {
  personalNumber: 'personal number',
  firstName: 'first name',
  lastName: 'last name',
  email: 'email address',
  mobile: 'mobile number',
  organisation: 'organisation',
  contactPerson: 'contact person',
  documentNumber: 'identity document number',
  documentExpiry: 'identity document expiry',
  language: 'language',
  state: 'state',
  street: 'street',
  postcode: 'postcode',
  city: 'city',
  country: 'country',
  contactStreet: "contact person's street",
  contactPostcode: "contact person's postcode",
  contactCity: "contact person's city",
  contactCountry: "contact person's country",
};

const problemWords: Record<HolderProblem['code'], string> = {
  required: 'is missing',
  invalid: 'is not valid',
  checkDigit: 'has a wrong check digit',
  duplicate: 'is already used by another holder',
  tooLong: 'is too long',
  controlCharacter: 'contains a control or text-direction character',
};

export function describeProblems(problems: readonly HolderProblem[]): string {
  return problems.map((p) => `The ${fieldNames[p.field]} ${problemWords[p.code]}.`).join(' ');
}

type FileProblem = Extract<CsvImportResult, { ok: false }>['fileProblems'][number];

export function describeFileProblem(problem: FileProblem): string {
  const at = problem.line === undefined ? '' : ` (line ${problem.line})`;
  switch (problem.code) {
    case 'missingColumn':
      return `The column ${problem.column} is missing.`;
    case 'unknownColumn':
      return `The column ${problem.column} is not one CardDesk knows.`;
    case 'duplicateColumn':
      return `The column ${problem.column} is named twice${at}.`;
    case 'empty':
      return 'The file is empty.';
    case 'unbalancedQuotes':
      return `A quoted value is not closed${at}.`;
    case 'invalidEncoding':
      return `The file is not UTF-8 text${at}. Save it as CSV UTF-8 and import it again.`;
  }
}
