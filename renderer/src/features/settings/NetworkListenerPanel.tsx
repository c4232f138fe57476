import { useCallback, useEffect, useState } from 'react';
import { Alert, Box, Button, FormControlLabel, Paper, Switch, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { NetworkListenerStatus } from '@shared/schemas/network-listener';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { useVault } from '../vault';
import { settingsTestIds } from './testIds';

/**
 * The network listener: one switch for everything the desk offers other machines (its CRLs,
 * OCSP and CA certificate over HTTP; EST for phones over HTTPS when a TLS port and the public host
 * name are set), with the address and ports. Changing it needs the vault unlocked.
 */
export function NetworkListenerPanel() {
  const { t } = useTranslation();
  const { withUnlocked } = useVault();
  const [status, setStatus] = useState<NetworkListenerStatus | null>(null);
  const [enabled, setEnabled] = useState(false);
  const [address, setAddress] = useState('');
  const [port, setPort] = useState('');
  // Empty: no HTTPS (no EST for phones).
  const [tlsPort, setTlsPort] = useState('');
  const [publicHost, setPublicHost] = useState('');
  const [message, setMessage] = useState<{ severity: 'success' | 'error'; text: string } | null>(null);

  const show = useCallback((next: NetworkListenerStatus) => {
    setStatus(next);
    setEnabled(next.settings.enabled);
    setAddress(next.settings.address);
    setPort(String(next.settings.port));
    setTlsPort(next.settings.tlsPort === undefined || next.settings.tlsPort === null ? '' : String(next.settings.tlsPort));
    setPublicHost(next.settings.publicHost ?? '');
  }, []);
  const load = useCommand(async () => show(await unwrap(carddesk().settings.networkListener())));
  const loadStatus = load.run;
  useEffect(() => {
    void loadStatus();
  }, [loadStatus]);

  const saving = useCommand(async (ports: { port: number; tlsPort: number | null }) => {
    const host = publicHost.trim();
    show(await withUnlocked(() => unwrap(carddesk().settings.setNetworkListener({ enabled, address: address.trim(), ...ports, publicHost: host === '' ? null : host }))));
    setMessage({ severity: 'success', text: t('settings.listener.saved') });
  });
  const busy = saving.busy;
  const save = (): void => {
    load.reset();
    saving.reset();
    const number = Number(port);
    const tls = tlsPort.trim() === '' ? null : Number(tlsPort);
    if (!isPort(number) || (tls !== null && !isPort(tls))) {
      setMessage({ severity: 'error', text: t('settings.listener.badPort') });
      return;
    }
    if (tls !== null && publicHost.trim() === '') {
      setMessage({ severity: 'error', text: t('settings.listener.needsHost') });
      return;
    }
    setMessage(null);
    void saving.run({ port: number, tlsPort: tls });
  };

  return (
    <Paper variant="outlined" sx={{ p: 3, mb: 3 }} data-testid={settingsTestIds.listener}>
      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        {t('settings.listener.title')}
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        {t('settings.listener.body')}
      </Typography>
      {message !== null ? (
        <Alert severity={message.severity} sx={{ mb: 2 }} onClose={() => setMessage(null)}>
          {message.text}
        </Alert>
      ) : null}
      <CommandError error={saving.error ?? load.error} sx={{ mb: 2 }} onClose={() => (saving.error !== null ? saving.reset() : load.reset())} />
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap', mb: 2 }}>
        <FormControlLabel
          control={<Switch checked={enabled} onChange={(e) => setEnabled(e.target.checked)} slotProps={{ input: { 'data-testid': settingsTestIds.listenerEnabled } as never }} />}
          label={t('settings.listener.enabled')}
        />
        <TextField label={t('settings.listener.address')} value={address} onChange={(e) => setAddress(e.target.value)} helperText={t('settings.listener.addressHint')} slotProps={{ htmlInput: { 'data-testid': settingsTestIds.listenerAddress, spellCheck: false } }} sx={{ width: 220 }} />
        <TextField type="number" label={t('settings.listener.port')} value={port} onChange={(e) => setPort(e.target.value)} slotProps={{ htmlInput: { min: 1, max: 65535, 'data-testid': settingsTestIds.listenerPort } }} sx={{ width: 130 }} />
      </Box>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        {t('settings.listener.tlsBody')}
      </Typography>
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap', mb: 2 }}>
        <TextField type="number" label={t('settings.listener.tlsPort')} value={tlsPort} onChange={(e) => setTlsPort(e.target.value)} helperText={t('settings.listener.tlsPortHint')} slotProps={{ htmlInput: { min: 1, max: 65535, 'data-testid': settingsTestIds.listenerTlsPort } }} sx={{ width: 200 }} />
        <TextField label={t('settings.listener.publicHost')} value={publicHost} onChange={(e) => setPublicHost(e.target.value)} helperText={t('settings.listener.publicHostHint')} slotProps={{ htmlInput: { 'data-testid': settingsTestIds.listenerPublicHost, spellCheck: false } }} sx={{ width: 320 }} />
        <Button variant="outlined" onClick={save} disabled={busy || status === null} data-testid={settingsTestIds.listenerSave}>
          {t('settings.listener.save')}
        </Button>
      </Box>
      {status !== null ? (
        <Typography data-testid={settingsTestIds.listenerState} data-listening={status.listening !== null} sx={{ wordBreak: 'break-all' }}>
          {status.listening !== null
            ? t('settings.listener.listening', { address: status.listening.address, port: status.listening.port, paths: status.paths.join(', ') })
            : status.problem !== null
              ? t('settings.listener.problem')
              : t('settings.listener.off')}
        </Typography>
      ) : null}
      {status !== null && status.listening !== null && hasValue(status.settings.tlsPort) ? (
        <Typography data-testid={settingsTestIds.listenerEst} data-tls-listening={hasValue(status.tlsListening)} sx={{ wordBreak: 'break-all', mt: 1 }}>
          {hasValue(status.tlsListening) && hasValue(status.estUrl) ? t('settings.listener.est', { url: status.estUrl }) : t('settings.listener.estProblem')}
        </Typography>
      ) : null}
    </Paper>
  );
}

function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}

function hasValue<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}
