import { useEffect, useState } from 'react';
import { carddesk, unwrap } from '../../api/carddesk';

/** Whether the desk has a print system is fixed while the core runs: asked once per page. */
let asked: Promise<boolean> | null = null;

function printingAvailable(): Promise<boolean> {
  asked ??= unwrap(carddesk().letters.settings())
    .then((settings) => settings.printing)
    .catch((error: unknown) => {
      asked = null;
      throw error;
    });
  return asked;
}

/** True when letters can go straight to a printer (a print system, CUPS, is on the desk's machine); null until known. */
export function useLetterPrinting(): boolean | null {
  const [printing, setPrinting] = useState<boolean | null>(null);
  useEffect(() => {
    let live = true;
    printingAvailable()
      .then((available) => live && setPrinting(available))
      .catch(() => live && setPrinting(false));
    return () => {
      live = false;
    };
  }, []);
  return printing;
}
