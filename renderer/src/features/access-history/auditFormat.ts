import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../i18n/format';
import type { AuditAction, AuditEntry } from '@shared/schemas/audit';
import en from '../../i18n/locales/en.json';

/** Every action the screens can name, read from the English labels (the locale test checks they match the contract). */
export const knownActions: readonly AuditAction[] = Object.entries(en.accessHistory.actions).flatMap(([domain, verbs]) =>
  Object.keys(verbs).map((verb) => `${domain}.${verb}` as AuditAction),
);

/** An HTML date input's value (a local day) as the instant it starts; `nextDay` gives the end of that day. */
export function dayStart(day: string, nextDay = false): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (match === null) return undefined;
  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + (nextDay ? 1 : 0)).toISOString();
}

/** How the access history words actions, outcomes, channels and times in the current language. */
export function useAuditWords() {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const action = useCallback(
    (name: string): string => {
      const key = `accessHistory.actions.${name as AuditAction}` as const;
      // An action from a newer CardDesk has no label here yet: its name is shown as it is.
      return i18n.exists(key) ? (t(key) as string) : name;
    },
    [t, i18n],
  );
  const time = useCallback((iso: string) => format.dateTime(iso, { seconds: true }), [format]);
  const actor = useCallback((entry: AuditEntry) => `${t(`accessHistory.actorKinds.${entry.actor.kind}`)}: ${entry.actor.id}`, [t]);
  return { t, action, time, actor };
}
