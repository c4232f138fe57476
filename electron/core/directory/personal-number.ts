/**
 * The personal-number rule, chosen in Settings (`carddesk vault config --personal-number`):
 *   digits   a fixed number of digits whose last digit checks the others (ISO 7064 MOD 11-10 by
 *            default, or Luhn, or none). The default, 10 digits with MOD 11-10, fits 10-digit
 *            national numbers such as Kosovo's; CardDesk does not claim to know any state's own
 *            check algorithm, so a desk whose numbers use another scheme picks `none` or a pattern.
 *   pattern  a regular expression the whole number must match (for other countries' formats).
 * Spaces and dashes people type are removed before the check.
 */
import type { PersonalNumberRule } from '../../shared/schemas/vault';
import { luhnCheckDigit, mod11_10CheckDigit } from './check-digits';
import { checkPatternShape, personalNumberExpression } from './pattern-safety';

const safeShapes = new Map<string, boolean>();
function shapeIsSafe(pattern: string): boolean {
  let safe = safeShapes.get(pattern);
  if (safe === undefined) {
    try {
      checkPatternShape(pattern);
      safe = true;
    } catch {
      safe = false;
    }
    if (safeShapes.size > 100) safeShapes.clear();
    safeShapes.set(pattern, safe);
  }
  return safe;
}

export type PersonalNumberCheck = { ok: true; value: string } | { ok: false; code: 'required' | 'invalid' | 'checkDigit' };

function normalisePersonalNumber(raw: string): string {
  return raw.replace(/[\s-]/g, '').toUpperCase();
}

export function checkPersonalNumber(raw: string, rule: PersonalNumberRule): PersonalNumberCheck {
  const value = normalisePersonalNumber(raw);
  if (value === '') return { ok: false, code: 'required' };
  if (rule.kind === 'pattern') {
    let pattern: RegExp;
    try {
      // A pattern saved before the checks existed (or planted in vault.json) gets the cheap shape
      // check here too: a nested repetition is never run against a number.
      if (!shapeIsSafe(rule.pattern)) return { ok: false, code: 'invalid' };
      pattern = personalNumberExpression(rule.pattern);
    } catch {
      return { ok: false, code: 'invalid' };
    }
    return pattern.test(value) ? { ok: true, value } : { ok: false, code: 'invalid' };
  }
  if (value.length !== rule.length || !/^\d+$/.test(value)) return { ok: false, code: 'invalid' };
  if (rule.checkDigit === 'none') return { ok: true, value };
  const body = value.slice(0, -1);
  const expected = rule.checkDigit === 'luhn' ? luhnCheckDigit(body) : mod11_10CheckDigit(body);
  return Number(value.slice(-1)) === expected ? { ok: true, value } : { ok: false, code: 'checkDigit' };
}

/** Checks that a rule is usable (a pattern must compile) before it is saved. */
export function isUsableRule(rule: PersonalNumberRule): boolean {
  if (rule.kind === 'digits') return true;
  try {
    new RegExp(rule.pattern, 'u');
    return true;
  } catch {
    return false;
  }
}
