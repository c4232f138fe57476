import { useCallback, useEffect, useId, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Chip,
  FormControl,
  InputLabel,
  List,
  ListItem,
  ListItemText,
  MenuItem,
  Paper,
  Select,
  TextField,
  Typography,
} from '@mui/material';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../i18n/format';
import type { BackupInfo, PersonalNumberRule } from '@shared/schemas/vault';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { PassphraseDialog } from './PassphraseDialog';
import { vaultTestIds } from './testIds';
import { useVault } from './VaultContext';

const idleChoices = [1, 5, 15, 30, 60, 120, 240, 480] as const;

/** The personal-number rule, edited locally until saved; remounted when the saved rule changes. */
function RuleEditor({ initial, onSave }: { initial: PersonalNumberRule; onSave: (rule: PersonalNumberRule) => void }) {
  const { t } = useTranslation();
  const [rule, setRule] = useState<PersonalNumberRule>(initial);
  const kindId = useId();
  const checkId = useId();
  return (
    <Box component="fieldset" sx={{ border: 0, p: 0, m: 0, mb: 3 }}>
      <Typography component="legend" variant="subtitle1" sx={{ mb: 1 }}>
        {t('vault.rule.title')}
      </Typography>
      <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'center' }}>
        <FormControl sx={{ minWidth: 200 }}>
          <InputLabel id={kindId}>{t('vault.rule.kind')}</InputLabel>
          <Select
            labelId={kindId}
            label={t('vault.rule.kind')}
            value={rule.kind}
            data-testid={vaultTestIds.ruleKind}
            onChange={(e) => setRule(e.target.value === 'pattern' ? { kind: 'pattern', pattern: '[A-Z0-9]{6,12}' } : { kind: 'digits', length: 10, checkDigit: 'mod11-10' })}
          >
            <MenuItem value="digits">{t('vault.rule.digits')}</MenuItem>
            <MenuItem value="pattern">{t('vault.rule.pattern')}</MenuItem>
          </Select>
        </FormControl>
        {rule.kind === 'digits' ? (
          <>
            <TextField
              type="number"
              label={t('vault.rule.length')}
              value={rule.length}
              onChange={(e) => setRule({ ...rule, length: Number(e.target.value) })}
              slotProps={{ htmlInput: { min: 4, max: 20, 'data-testid': vaultTestIds.ruleLength } }}
              sx={{ width: 120 }}
            />
            <FormControl sx={{ minWidth: 200 }}>
              <InputLabel id={checkId}>{t('vault.rule.check')}</InputLabel>
              <Select labelId={checkId} label={t('vault.rule.check')} value={rule.checkDigit} data-testid={vaultTestIds.ruleCheck} onChange={(e) => setRule({ ...rule, checkDigit: e.target.value })}>
                <MenuItem value="mod11-10">{t('vault.rule.mod11')}</MenuItem>
                <MenuItem value="luhn">{t('vault.rule.luhn')}</MenuItem>
                <MenuItem value="none">{t('vault.rule.none')}</MenuItem>
              </Select>
            </FormControl>
          </>
        ) : (
          <TextField label={t('vault.rule.regex')} value={rule.pattern} onChange={(e) => setRule({ kind: 'pattern', pattern: e.target.value })} slotProps={{ htmlInput: { 'data-testid': vaultTestIds.rulePattern } }} />
        )}
        <Button variant="outlined" onClick={() => onSave(rule)} data-testid={vaultTestIds.ruleSave}>
          {t('common.save')}
        </Button>
      </Box>
    </Box>
  
  );
}

/** The vault on the Settings screen: lock state, idle lock time, personal-number rule, backups. */
export function VaultPanel() {
  const { t } = useTranslation();
  const format = useFormat();
  const { status, refresh, unlock, withUnlocked } = useVault();
  const [backups, setBackups] = useState<BackupInfo[]>([]);
  // What the last action did; a failed call is a command's error (CommandError below).
  const [notice, setNotice] = useState<string | null>(null);
  const [restoring, setRestoring] = useState<string | null>(null);
  const idleId = useId();

  const listing = useCommand(async () => setBackups(await unwrap(carddesk().vault.listBackups())));
  const list = listing.run;
  const loadBackups = useCallback(() => void list(), [list]);
  useEffect(loadBackups, [loadBackups]);

  const acting = useCommand((work: () => Promise<void>) => work());
  const act = (work: () => Promise<void>): void => {
    setNotice(null);
    void acting.run(work);
  };
  const save = (change: { idleLockMinutes?: number; personalNumberRule?: PersonalNumberRule }): void =>
    act(async () => {
      const request = (): Promise<unknown> => unwrap(carddesk().vault.updateSettings(change));
      // The personal-number rule changes only with the vault unlocked (the service enforces it).
      await (change.personalNumberRule === undefined ? request() : withUnlocked(request));
      await refresh();
      setNotice(t('vault.saved'));
    });

  if (status === null) return null;
  return (
    <Paper variant="outlined" sx={{ p: 3, mb: 3 }} data-testid={vaultTestIds.panel}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mb: 2 }}>
        <Typography variant="h6" component="h2">
          {t('vault.title')}
        </Typography>
        <Chip
          size="small"
          data-testid={vaultTestIds.state}
          data-state={!status.initialised ? 'new' : status.unlocked ? 'unlocked' : 'locked'}
          color={status.unlocked ? 'success' : 'default'}
          label={!status.initialised ? t('vault.notInitialised') : status.unlocked ? t('vault.unlocked') : t('vault.locked')}
        />
        {status.initialised && status.unlocked ? (
          <Button size="small" onClick={() =>
              act(async () => {
                await unwrap(carddesk().vault.lock());
                await refresh();
              })
            } data-testid={vaultTestIds.lockNow}>
            {t('vault.lockNow')}
          </Button>
        ) : null}
        {status.initialised && !status.unlocked ? (
          <Button size="small" onClick={() => void unlock()} data-testid={vaultTestIds.unlockNow}>
            {t('vault.unlock')}
          </Button>
        ) : null}
      </Box>
      <Typography color="text.secondary" sx={{ mb: 2 }} data-testid={vaultTestIds.counts}>
        {t('vault.counts', { holders: status.counts.holders, cards: status.counts.cards, certificates: status.counts.certificates })}
      </Typography>
      {notice !== null ? (
        <Alert severity="success" sx={{ mb: 2 }} onClose={() => setNotice(null)}>
          {notice}
        </Alert>
      ) : null}
      <CommandError
        error={acting.error ?? listing.error}
        sx={{ mb: 2 }}
        onClose={() => {
          acting.reset();
          listing.reset();
        }}
      />

      <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', mb: 3 }}>
        <FormControl sx={{ minWidth: 220 }}>
          <InputLabel id={idleId}>{t('vault.idleLock')}</InputLabel>
          <Select labelId={idleId} label={t('vault.idleLock')} value={status.settings.idleLockMinutes} onChange={(e) => save({ idleLockMinutes: Number(e.target.value) })} data-testid={vaultTestIds.idleLock}>
            {idleChoices.map((minutes) => (
              <MenuItem key={minutes} value={minutes}>
                {t('vault.minutes', { count: minutes })}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
      </Box>

      <RuleEditor key={JSON.stringify(status.settings.personalNumberRule)} initial={status.settings.personalNumberRule} onSave={(personalNumberRule) => save({ personalNumberRule })} />

      <Typography variant="subtitle1" component="h3">
        {t('vault.backups')}
      </Typography>
      <Button
        sx={{ my: 1 }}
        variant="outlined"
        disabled={!status.initialised}
        data-testid={vaultTestIds.backupNow}
        onClick={() =>
          act(async () => {
            const info = await withUnlocked(() => unwrap(carddesk().vault.backup()));
            setNotice(t('vault.backupWritten', { file: info.fileName }));
            loadBackups();
          })
        }
      >
        {t('vault.backupNow')}
      </Button>
      {backups.length === 0 ? (
        <Typography color="text.secondary">{t('vault.noBackups')}</Typography>
      ) : (
        <List dense aria-label={t('vault.backups')}>
          {backups.map((backup) => (
            <ListItem
              key={backup.fileName}
              data-testid={vaultTestIds.backupRow}
              secondaryAction={
                <Button size="small" onClick={() => setRestoring(backup.fileName)} data-testid={vaultTestIds.restore(backup.fileName)}>
                  {t('vault.restore')}
                </Button>
              }
            >
              <ListItemText primary={backup.fileName} secondary={`${format.dateTime(backup.createdAt)} · ${(backup.bytes / 1024).toFixed(0)} KiB`} />
            </ListItem>
          ))}
        </List>
      )}
      <PassphraseDialog
        open={restoring !== null}
        title={t('vault.restoreTitle')}
        body={t('vault.restoreBody', { file: restoring ?? '' })}
        submitLabel={t('vault.restore')}
        onClose={() => setRestoring(null)}
        // A call that fails outright is the dialog's command error (it shows it with CommandError).
        onSubmit={async (passphrase) => {
          const result = await unwrap(carddesk().vault.restore({ fileName: restoring ?? '', passphrase }));
          if (!result.ok) return { ok: false, message: t('errors.WRONG_PASSPHRASE') };
          setRestoring(null);
          setNotice(t('vault.restored'));
          await refresh();
          return { ok: true };
        }}
      />
    </Paper>
  );
}
