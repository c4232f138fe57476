import { useState } from 'react';
import { Alert, Box, Button, Chip, Link, Stack } from '@mui/material';
import { Link as RouterLink } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { LetterRefusal, LetterRoute, LetterSendResult, LetterSummary } from '@shared/schemas/letters';
import { carddesk, unwrap } from '../../api/carddesk';
import { saveDownload } from '../../api/download';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { lettersTestIds } from './testIds';
import { useLetterPrinting } from './useLetterPrinting';

/** What the screen knows of a letter: its file, its kind, and where it stands. */
export type LetterView = Pick<LetterSummary, 'fileName' | 'kind'> & Partial<Pick<LetterSummary, 'state' | 'sentAt' | 'sentVia'>>;

/** Refusals that send the operator to the drop folder (set it up, or use it instead of the printer). */
const folderAdvice: ReadonlySet<LetterRefusal> = new Set(['printerUnavailable', 'noFolder', 'folderUnavailable', 'noPrinter', 'printSystemDown']);

/**
 * A letter's state and what can be done with it. A PIN letter goes to the printer (offered where
 * the desk's machine has a print system) or the drop folder, or is marked sent; it is never opened
 * here. Only the user-number letter can be opened.
 */
export function LetterActions({ letter, onChanged }: { letter: LetterView; onChanged?: (letter: LetterSummary) => void }) {
  const { t, i18n } = useTranslation();
  const [current, setCurrent] = useState<LetterView>(letter);
  const [refusal, setRefusal] = useState<LetterRefusal | null>(null);
  const state = current.state ?? 'waiting';
  const printing = useLetterPrinting();

  const previewing = useCommand(async () => saveDownload(await unwrap(carddesk().letters.preview({ fileName: current.fileName }))));
  const settle = useCommand(async (call: () => Promise<LetterSendResult>) => {
    setRefusal(null);
    const result = await call();
    if (result.ok) {
      setCurrent(result.letter);
      onChanged?.(result.letter);
    } else setRefusal(result.reason);
  });
  const busy = settle.busy;
  const deliver = (call: () => Promise<LetterSendResult>): void => {
    previewing.reset();
    void settle.run(call);
  };
  const send = (route: LetterRoute) => deliver(() => unwrap(carddesk().letters.deliver({ fileName: current.fileName, route })));
  const markSent = () => deliver(() => unwrap(carddesk().letters.markSent({ fileName: current.fileName })));
  const preview = (): void => void previewing.run();

  return (
    <Box data-testid={lettersTestIds.actions} data-file={current.fileName} data-state={state} data-kind={current.kind}>
      <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap', alignItems: 'center' }}>
        <Chip
          size="small"
          data-testid={lettersTestIds.state}
          color={state === 'sent' ? 'success' : state === 'withdrawn' ? 'default' : 'warning'}
          label={
            state === 'sent' && current.sentAt !== undefined && current.sentAt !== null && current.sentVia !== undefined && current.sentVia !== null
              ? t('letters.sentOn', { date: new Date(current.sentAt).toLocaleString(i18n.language, { dateStyle: 'medium', timeStyle: 'short' }), via: t(`letters.sentVia.${current.sentVia}`) })
              : t(`letters.states.${state}`)
          }
        />
        {state === 'waiting' ? (
          <>
            {printing === true ? (
              <Button size="small" variant="outlined" disabled={busy} onClick={() => send('printer')} data-testid={lettersTestIds.print}>
                {t('letters.print')}
              </Button>
            ) : null}
            <Button size="small" variant="outlined" disabled={busy} onClick={() => send('folder')} data-testid={lettersTestIds.toFolder}>
              {t('letters.toFolder')}
            </Button>
            <Button size="small" disabled={busy} onClick={markSent} data-testid={lettersTestIds.markSent}>
              {t('letters.markSent')}
            </Button>
          </>
        ) : null}
        {current.kind === 'userNumber' && state !== 'withdrawn' ? (
          <Button size="small" onClick={preview} data-testid={lettersTestIds.preview}>
            {t('letters.preview')}
          </Button>
        ) : null}
      </Stack>
      {refusal !== null ? (
        <Alert severity="warning" sx={{ mt: 1 }} data-testid={lettersTestIds.refusal} data-reason={refusal}>
          {t(`letters.refused.${refusal}`)}
          {folderAdvice.has(refusal) ? (
            <>
              {' '}
              <Link component={RouterLink} to="/settings" data-testid={lettersTestIds.settingsLink}>
                {t('letters.toSettings')}
              </Link>
            </>
          ) : null}
        </Alert>
      ) : null}
      <CommandError error={previewing.error ?? settle.error} sx={{ mt: 1 }} />
    </Box>
  );
}
