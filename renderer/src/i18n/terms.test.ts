import { describe, expect, it } from 'vitest';
import { resources } from './resources';

type Tree = { [key: string]: string | Tree };

function texts(tree: Tree, prefix = ''): [key: string, text: string][] {
  return Object.entries(tree).flatMap(([key, value]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return typeof value === 'string' ? [[path, value] as [string, string]] : texts(value, path);
  });
}

/**
 * One word per concept, so an operator never wonders whether two words are two things. Dutch: a card is
 * a "pas" (never "kaart"), a holder a "houder" (never "gebruiker" or "pashouder"). "Gebruikersnummer"
 * (the holder's user number) and "gebruikerspincode" (a token's user PIN) name other concepts.
 */
const banned: Record<string, { word: RegExp; use: string }[]> = {
  nl: [
    { word: /\bkaart(en)?\b/iu, use: 'pas / passen' },
    { word: /\bgebruikers?\b/iu, use: 'houder / houders' },
    { word: /\bpashouders?\b/iu, use: 'houder / houders' },
  ],
};

describe.each(Object.keys(banned))('the %s texts', (language) => {
  it('use one word per concept', () => {
    const found = texts(resources[language as keyof typeof resources].translation as Tree).flatMap(([key, text]) =>
      (banned[language] ?? []).filter(({ word }) => word.test(text)).map(({ word, use }) => `${key}: "${text.match(word)?.[0]}" (use ${use})`),
    );
    expect(found).toEqual([]);
  });
});
