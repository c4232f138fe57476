/**
 * fontkit unpacks its tables as it loads (about 75 ms of the core's start on the 2-core machine),
 * so it is loaded with the first letter or contract, not when the core starts.
 */
import type FontkitEngine from '@pdf-lib/fontkit';

export type Fontkit = typeof FontkitEngine;

export async function loadFontkit(): Promise<Fontkit> {
  return (await import('@pdf-lib/fontkit')).default;
}
