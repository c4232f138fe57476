import { useState } from 'react';
import { Box, Button, FormControl, FormControlLabel, InputLabel, MenuItem, Radio, RadioGroup, Select, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { CardActionResult } from '@shared/schemas/cards';
import { carddesk, unwrap } from '../../../api/carddesk';
import { cardsTestIds } from '../testIds';
import { SecretDialog, type SecretField } from '../../../components/SecretDialog';

type Action = 'verifyPin' | 'changePin' | 'changePuk' | 'unblockPin' | 'setRetryCounters';

const keyLengths = { tdes: 48, aes128: 32, aes192: 48, aes256: 64 } as const;
type KeyAlgorithm = keyof typeof keyLengths;

/** The operator's card actions; each opens a dialog, talks to the card once, and reports back. */
export function CardActions({ reader, pinBlocked, onChanged, onMessage }: { reader: string; pinBlocked: boolean; onChanged: () => void; onMessage: (text: string) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<Action | null>(null);
  const [pinTries, setPinTries] = useState(3);
  const [pukTries, setPukTries] = useState(3);
  const [keyKind, setKeyKind] = useState<'factory' | 'custom'>('factory');
  const [keyAlgorithm, setKeyAlgorithm] = useState<KeyAlgorithm>('aes192');
  const [keyHex, setKeyHex] = useState('');
  const api = carddesk().cards;

  const close = (): void => {
    setOpen(null);
    setKeyHex('');
    onChanged();
  };
  const done = (message: string): void => {
    close();
    onMessage(message);
  };

  const dialogs: Record<Action, { fields: SecretField[]; submit: (v: Record<string, string>) => Promise<CardActionResult> }> = {
    verifyPin: {
      fields: [{ id: 'pin', label: t('cards.fields.pin') }],
      submit: (v) => unwrap(api.verifyPin({ reader, pin: v['pin'] ?? '' })),
    },
    changePin: {
      fields: [
        { id: 'current', label: t('cards.fields.currentPin') },
        { id: 'next', label: t('cards.fields.newPin') },
        { id: 'repeat', label: t('cards.fields.repeatPin'), repeats: 'next' },
      ],
      submit: (v) => unwrap(api.changePin({ reader, currentPin: v['current'] ?? '', newPin: v['next'] ?? '' })),
    },
    changePuk: {
      fields: [
        { id: 'current', label: t('cards.fields.currentPuk') },
        { id: 'next', label: t('cards.fields.newPuk') },
        { id: 'repeat', label: t('cards.fields.repeatPuk'), repeats: 'next' },
      ],
      submit: (v) => unwrap(api.changePuk({ reader, currentPuk: v['current'] ?? '', newPuk: v['next'] ?? '' })),
    },
    unblockPin: {
      fields: [
        { id: 'puk', label: t('cards.fields.puk') },
        { id: 'next', label: t('cards.fields.newPin') },
        { id: 'repeat', label: t('cards.fields.repeatPin'), repeats: 'next' },
      ],
      submit: (v) => unwrap(api.unblockPin({ reader, puk: v['puk'] ?? '', newPin: v['next'] ?? '' })),
    },
    setRetryCounters: {
      fields: [
        { id: 'pin', label: t('cards.fields.pin') },
        { id: 'puk', label: t('cards.fields.puk') },
      ],
      submit: async (v) => {
        const hex = keyHex;
        setKeyHex('');
        return unwrap(
          api.setRetryCounters({
            reader,
            pinTries,
            pukTries,
            pin: v['pin'] ?? '',
            puk: v['puk'] ?? '',
            managementKey: keyKind === 'factory' ? { kind: 'factory' } : { kind: 'custom', algorithm: keyAlgorithm, hex },
          }),
        );
      },
    },
  };

  const keyError = keyKind === 'custom' && !new RegExp(`^[0-9a-fA-F]{${keyLengths[keyAlgorithm]}}$`).test(keyHex) ? t('cards.validation.keyHex', { length: keyLengths[keyAlgorithm] }) : null;
  const tries = Array.from({ length: 15 }, (_, index) => index + 1);
  const retryExtra = (
    <Box sx={{ display: 'grid', gap: 2 }}>
      <Box sx={{ display: 'flex', gap: 2 }}>
        <FormControl fullWidth>
          <InputLabel id="pin-tries-label">{t('cards.fields.pinTries')}</InputLabel>
          <Select labelId="pin-tries-label" label={t('cards.fields.pinTries')} value={pinTries} onChange={(event) => setPinTries(Number(event.target.value))} data-testid="select-pin-tries">
            {tries.map((n) => (
              <MenuItem key={n} value={n}>
                {n}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <FormControl fullWidth>
          <InputLabel id="puk-tries-label">{t('cards.fields.pukTries')}</InputLabel>
          <Select labelId="puk-tries-label" label={t('cards.fields.pukTries')} value={pukTries} onChange={(event) => setPukTries(Number(event.target.value))} data-testid="select-puk-tries">
            {tries.map((n) => (
              <MenuItem key={n} value={n}>
                {n}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
      </Box>
      <FormControl>
        <Typography component="legend" variant="body2" color="text.secondary">
          {t('cards.fields.managementKey')}
        </Typography>
        <RadioGroup row value={keyKind} onChange={(event) => setKeyKind(event.target.value === 'custom' ? 'custom' : 'factory')}>
          <FormControlLabel value="factory" control={<Radio />} label={t('cards.fields.managementKeyFactory')} />
          <FormControlLabel value="custom" control={<Radio />} label={t('cards.fields.managementKeyCustom')} />
        </RadioGroup>
      </FormControl>
      {keyKind === 'custom' ? (
        <Box sx={{ display: 'flex', gap: 2 }}>
          <FormControl sx={{ minWidth: 120 }}>
            <InputLabel id="key-algorithm-label">{t('cards.fields.algorithm')}</InputLabel>
            <Select labelId="key-algorithm-label" label={t('cards.fields.algorithm')} value={keyAlgorithm} onChange={(event) => setKeyAlgorithm(event.target.value)}>
              {(Object.keys(keyLengths) as KeyAlgorithm[]).map((algorithm) => (
                <MenuItem key={algorithm} value={algorithm}>
                  {algorithm.toUpperCase()}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
          <TextField
            fullWidth
            type="password"
            label={t('cards.fields.keyHex')}
            value={keyHex}
            onChange={(event) => setKeyHex(event.target.value.trim())}
            error={keyError !== null}
            helperText={keyError ?? ' '}
            autoComplete="off"
          />
        </Box>
      ) : null}
    </Box>
  );

  const buttons: { action: Action; label: string }[] = [
    { action: 'verifyPin', label: t('cards.actions.verifyPin') },
    { action: 'changePin', label: t('cards.actions.changePin') },
    { action: 'changePuk', label: t('cards.actions.changePuk') },
    { action: 'unblockPin', label: t('cards.actions.unblockPin') },
    { action: 'setRetryCounters', label: t('cards.actions.setRetryCounters') },
  ];

  return (
    <Box>
      <Typography variant="h6" component="h3" sx={{ mb: 1 }}>
        {t('cards.actions.title')}
      </Typography>
      <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 1 }}>
        {buttons.map(({ action, label }) => (
          <Button
            key={action}
            variant={action === 'unblockPin' && pinBlocked ? 'contained' : 'outlined'}
            color={action === 'unblockPin' && pinBlocked ? 'warning' : 'primary'}
            onClick={() => setOpen(action)}
            data-testid={cardsTestIds.action(action)}
          >
            {label}
          </Button>
        ))}
      </Box>
      {open !== null ? (
        <SecretDialog
          key={open}
          testId={`dialog-${open}`}
          title={buttons.find((button) => button.action === open)?.label ?? ''}
          description={t(`cards.dialog.${open}`)}
          fields={dialogs[open].fields}
          extra={open === 'setRetryCounters' ? retryExtra : undefined}
          extraError={open === 'setRetryCounters' ? keyError : null}
          onSubmit={dialogs[open].submit}
          successMessage={t(`cards.result.${open}`)}
          onDone={done}
          onClose={close}
        />
      ) : null}
    </Box>
  );
}
