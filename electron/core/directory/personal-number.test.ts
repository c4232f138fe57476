import { describe, expect, it } from 'vitest';
import { luhnCheckDigit, mod11_10CheckDigit } from './check-digits';
import { checkPersonalNumber } from './personal-number';

const kosovoLike = { kind: 'digits', length: 10, checkDigit: 'mod11-10' } as const;

describe('check digits', () => {
  it('computes ISO 7064 MOD 11-10 as published for Croatia’s OIB (example 69435151530)', () => {
    expect(mod11_10CheckDigit('6943515153')).toBe(0);
    expect(mod11_10CheckDigit('1234567890')).toBe(3);
  });

  it('computes Luhn digits (79927398713 is the classic example)', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3);
    expect(luhnCheckDigit('4111111111111111'.slice(0, 15))).toBe(1);
  });
});

describe('personal numbers', () => {
  it('accepts a number with the right length and check digit, ignoring spaces and dashes', () => {
    const body = '123456789';
    const number = `${body}${mod11_10CheckDigit(body)}`;
    expect(checkPersonalNumber(number, kosovoLike)).toEqual({ ok: true, value: number });
    expect(checkPersonalNumber(`${number.slice(0, 3)} ${number.slice(3, 6)}-${number.slice(6)}`, kosovoLike)).toEqual({ ok: true, value: number });
  });

  it('names what is wrong: missing, wrong shape, wrong check digit', () => {
    const body = '123456789';
    const wrong = `${body}${(mod11_10CheckDigit(body) + 1) % 10}`;
    expect(checkPersonalNumber('', kosovoLike)).toEqual({ ok: false, code: 'required' });
    expect(checkPersonalNumber('12345', kosovoLike)).toEqual({ ok: false, code: 'invalid' });
    expect(checkPersonalNumber('12345678AB', kosovoLike)).toEqual({ ok: false, code: 'invalid' });
    expect(checkPersonalNumber(wrong, kosovoLike)).toEqual({ ok: false, code: 'checkDigit' });
  });

  it('follows a pattern rule when the desk chooses one', () => {
    const rule = { kind: 'pattern', pattern: '[A-Z]{2}\\d{6}' } as const;
    expect(checkPersonalNumber('ab123456', rule)).toEqual({ ok: true, value: 'AB123456' });
    expect(checkPersonalNumber('AB12345', rule)).toEqual({ ok: false, code: 'invalid' });
  });
});
