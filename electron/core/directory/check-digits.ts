/** Check-digit schemes for personal numbers and user numbers. */

/** ISO/IEC 7064 MOD 11-10 (hybrid system for decimal digits), as used by e.g. Croatia's OIB. */
export function mod11_10CheckDigit(digits: string): number {
  let product = 10;
  for (const char of digits) {
    let sum = (product + Number(char)) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  return (11 - product) % 10;
}

/** The Luhn (mod 10) check digit for `digits` (the number without its check digit). */
export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    // Double every second digit counting from the right, starting with the rightmost.
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}
