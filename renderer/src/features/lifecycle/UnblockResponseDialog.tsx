import { useId, useState, type FormEvent } from 'react';
import { Alert, Box, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { UnblockResponseResult } from '@shared/schemas/lifecycle';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { CopyableCode } from '../../components/CopyableCode';
import { useVault } from '../vault';
import { lifecycleTestIds } from './testIds';

/**
 * The desk's side of the offline unblock: the holder reads out the card's serial and the challenge
 * on their screen; the desk answers with a response computed from that card's management key in
 * the vault. The response works once, within ten minutes of the challenge.
 */
export function UnblockResponseDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { withUnlocked } = useVault();
  const [serial, setSerial] = useState('');
  const [challenge, setChallenge] = useState('');
  const [result, setResult] = useState<UnblockResponseResult | null>(null);
  const answer = useCommand(async (request: { serial: string; challenge: string }) => setResult(await withUnlocked(() => unwrap(carddesk().cards.unblockResponse(request)))));
  const busy = answer.busy;
  const titleId = useId();

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (serial.trim() === '' || challenge.trim().length < 4 || busy) return;
    setResult(null);
    void answer.run({ serial: serial.trim(), challenge: challenge.trim() });
  };

  const another = (): void => {
    setResult(null);
    setSerial('');
    setChallenge('');
  };

  return (
    <Dialog open onClose={onClose} aria-labelledby={titleId} maxWidth="sm" fullWidth data-testid={lifecycleTestIds.answerDialog}>
      <form onSubmit={submit} noValidate>
        <DialogTitle id={titleId}>{t('lifecycle.answer.title')}</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 2 }}>{t('lifecycle.answer.body')}</DialogContentText>
          {result?.ok === true ? (
            <Box sx={{ display: 'grid', gap: 1 }}>
              <CopyableCode label={t('lifecycle.answer.response', { serial: result.serial })} code={result.response} testId={lifecycleTestIds.answerCode} copyTestId={lifecycleTestIds.copy('response')} />
              <Alert severity="info">{t('lifecycle.answer.validOnce')}</Alert>
            </Box>
          ) : (
            <Box sx={{ display: 'grid', gap: 2, pt: 1 }}>
              <TextField
                label={t('lifecycle.answer.serial')}
                value={serial}
                onChange={(event) => setSerial(event.target.value)}
                required
                autoFocus
                autoComplete="off"
                slotProps={{ htmlInput: { spellCheck: false, maxLength: 64, 'data-testid': lifecycleTestIds.answerSerial } }}
              />
              <TextField
                label={t('lifecycle.answer.challenge')}
                value={challenge}
                onChange={(event) => setChallenge(event.target.value.toUpperCase().slice(0, 80))}
                required
                autoComplete="off"
                helperText={t('lifecycle.answer.challengeHint')}
                slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: 'monospace', letterSpacing: '0.08em' }, 'data-testid': lifecycleTestIds.answerChallenge } }}
              />
            </Box>
          )}
          {result !== null && !result.ok ? (
            <Alert severity="error" sx={{ mt: 2 }} data-testid={lifecycleTestIds.answerProblem} data-reason={result.reason}>
              {t(`lifecycle.answer.failure.${result.reason}`)}
            </Alert>
          ) : null}
          <CommandError error={answer.error} sx={{ mt: 2 }} testId={lifecycleTestIds.answerProblem} />
        </DialogContent>
        <DialogActions>
          {result?.ok === true ? (
            <Button onClick={another}>{t('lifecycle.answer.another')}</Button>
          ) : (
            <Button type="submit" variant="contained" disabled={busy || serial.trim() === '' || challenge.trim().length < 4} data-testid={lifecycleTestIds.answerSubmit}>
              {t('lifecycle.answer.submit')}
            </Button>
          )}
          <Button onClick={onClose}>{t('common.close')}</Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
