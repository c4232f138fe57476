import { useCallback, useEffect, useId, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  FormControl,
  FormControlLabel,
  InputLabel,
  MenuItem,
  Paper,
  Select,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { Trans, useTranslation } from 'react-i18next';
import type { NotifyOutbox, NotifySettingsView, NotifyTestResult, SmtpSecurity } from '@shared/schemas/account-notify';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { useFormat } from '../../i18n/format';

export const notificationsTestIds = {
  panel: 'settings-notifications',
  smtpHost: 'notify-smtp-host',
  smtpPort: 'notify-smtp-port',
  smtpSecurity: 'notify-smtp-security',
  smtpUser: 'notify-smtp-user',
  smtpPassword: 'notify-smtp-password',
  smtpFrom: 'notify-smtp-from',
  smtpName: 'notify-smtp-name',
  smtpSave: 'notify-smtp-save',
  smsUrl: 'notify-sms-url',
  smsMethod: 'notify-sms-method',
  smsTemplate: 'notify-sms-template',
  smsSave: 'notify-sms-save',
  testTo: 'notify-test-to',
  testSms: 'notify-test-sms',
  testSend: 'notify-test-send',
  testResult: 'notify-test-result',
  message: 'notify-message',
  outboxFailedOnly: 'notify-outbox-failed-only',
  outboxRow: 'notify-outbox-row',
  outboxRetry: 'notify-outbox-retry',
} as const;

const securities: readonly SmtpSecurity[] = ['starttls', 'tls', 'none'];
const defaultPorts: Record<SmtpSecurity, string> = { tls: '465', starttls: '587', none: '25' };

/**
 * Settings → Notifications: where holder messages go out (the SMTP server, the SMS gateway), a
 * test message with its result in words, and the outbox with the messages that could not be
 * sent (retry each). The SMTP password is typed here and never shown again: the desk says only
 * whether one is set.
 */
export function NotificationsPanel() {
  const { t } = useTranslation();
  const format = useFormat();
  const securityLabel = useId();
  const methodLabel = useId();
  const [view, setView] = useState<NotifySettingsView | null>(null);
  const [host, setHost] = useState('');
  const [port, setPort] = useState('587');
  const [security, setSecurity] = useState<SmtpSecurity>('starttls');
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [fromAddress, setFromAddress] = useState('');
  const [fromName, setFromName] = useState('');
  const [smsUrl, setSmsUrl] = useState('');
  const [smsMethod, setSmsMethod] = useState<'GET' | 'POST'>('POST');
  const [smsTemplate, setSmsTemplate] = useState('{"to":"{{to}}","text":"{{text}}"}');
  const [testTo, setTestTo] = useState('');
  const [testSms, setTestSms] = useState(false);
  const [testResult, setTestResult] = useState<NotifyTestResult | null>(null);
  const [failedOnly, setFailedOnly] = useState(true);
  const [outbox, setOutbox] = useState<NotifyOutbox | null>(null);
  const [message, setMessage] = useState<{ severity: 'success' | 'error'; text: string } | null>(null);

  const show = useCallback((next: NotifySettingsView) => {
    setView(next);
    setPassword('');
    if (next.smtp !== null) {
      setHost(next.smtp.host);
      setPort(String(next.smtp.port));
      setSecurity(next.smtp.security);
      setUser(next.smtp.user);
      setFromAddress(next.smtp.fromAddress);
      setFromName(next.smtp.fromName);
    }
    if (next.sms !== null) {
      setSmsUrl(next.sms.url);
      setSmsMethod(next.sms.method);
      setSmsTemplate(next.sms.template);
    }
  }, []);
  const load = useCommand(async (failed: boolean) => {
    show(await unwrap(carddesk().notify.settings()));
    setOutbox(await unwrap(carddesk().notify.outbox({ failed })));
  });
  const reload = load.run;
  useEffect(() => {
    void reload(failedOnly);
  }, [reload, failedOnly]);

  const saveSmtp = useCommand(async () => {
    const portNumber = Number(port);
    if (host.trim() === '' || fromAddress.trim() === '' || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) {
      setMessage({ severity: 'error', text: t('account.notifications.smtpIncomplete') });
      return;
    }
    show(
      await unwrap(
        carddesk().notify.setSettings({
          smtp: { host: host.trim(), port: portNumber, security, user: user.trim(), ...(password === '' ? {} : { password }), fromAddress: fromAddress.trim(), fromName: fromName.trim() },
        }),
      ),
    );
    setMessage({ severity: 'success', text: t('account.notifications.saved') });
  });
  const saveSms = useCommand(async () => {
    if (smsUrl.trim() === '' || smsTemplate.trim() === '') {
      setMessage({ severity: 'error', text: t('account.notifications.smsIncomplete') });
      return;
    }
    show(await unwrap(carddesk().notify.setSettings({ sms: { url: smsUrl.trim(), method: smsMethod, template: smsTemplate } })));
    setMessage({ severity: 'success', text: t('account.notifications.saved') });
  });
  const sendTest = useCommand(async () => {
    setTestResult(null);
    setTestResult(await unwrap(carddesk().notify.test({ channel: testSms ? 'sms' : 'email', to: testTo.trim() })));
  });
  const retry = useCommand(async (id: string) => {
    await unwrap(carddesk().notify.retry({ id }));
    setOutbox(await unwrap(carddesk().notify.outbox({ failed: failedOnly })));
    setMessage({ severity: 'success', text: t('account.notifications.retried') });
  });
  const error = saveSmtp.error ?? saveSms.error ?? sendTest.error ?? retry.error ?? load.error;

  return (
    <Paper variant="outlined" sx={{ p: 3, mb: 3 }} data-testid={notificationsTestIds.panel}>
      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        {t('account.notifications.title')}
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        {t('account.notifications.body')}
      </Typography>
      {message !== null ? (
        <Alert severity={message.severity} sx={{ mb: 2 }} onClose={() => setMessage(null)} data-testid={notificationsTestIds.message} data-severity={message.severity}>
          {message.text}
        </Alert>
      ) : null}
      <CommandError
        error={error}
        sx={{ mb: 2 }}
        onClose={() => {
          for (const command of [saveSmtp, saveSms, sendTest, retry, load]) command.reset();
        }}
      />

      <Typography variant="subtitle1" component="h3" sx={{ mb: 1 }}>
        {t('account.notifications.smtpTitle')}
      </Typography>
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' }, gap: 2, mb: 2 }}>
        <TextField label={t('account.notifications.host')} value={host} onChange={(e) => setHost(e.target.value)} slotProps={{ htmlInput: { 'data-testid': notificationsTestIds.smtpHost } }} />
        <FormControl>
          <InputLabel id={securityLabel}>{t('account.notifications.security')}</InputLabel>
          <Select
            labelId={securityLabel}
            label={t('account.notifications.security')}
            value={security}
            data-testid={notificationsTestIds.smtpSecurity}
            onChange={(e) => {
              const next = e.target.value;
              if (port === defaultPorts[security]) setPort(defaultPorts[next]);
              setSecurity(next);
            }}
          >
            {securities.map((value) => (
              <MenuItem key={value} value={value}>
                {t(`account.notifications.securities.${value}`)}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <TextField type="number" label={t('account.notifications.port')} value={port} onChange={(e) => setPort(e.target.value)} slotProps={{ htmlInput: { min: 1, max: 65535, 'data-testid': notificationsTestIds.smtpPort } }} />
        <TextField label={t('account.notifications.user')} value={user} onChange={(e) => setUser(e.target.value)} slotProps={{ htmlInput: { autoComplete: 'off', 'data-testid': notificationsTestIds.smtpUser } }} />
        <TextField
          type="password"
          label={t('account.notifications.password')}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          helperText={view?.smtp?.passwordSet === true ? t('account.notifications.passwordSet') : t('account.notifications.passwordNotSet')}
          slotProps={{ htmlInput: { autoComplete: 'new-password', 'data-testid': notificationsTestIds.smtpPassword } }}
        />
        <TextField type="email" label={t('account.notifications.fromAddress')} value={fromAddress} onChange={(e) => setFromAddress(e.target.value)} slotProps={{ htmlInput: { 'data-testid': notificationsTestIds.smtpFrom } }} />
        <TextField label={t('account.notifications.fromName')} value={fromName} onChange={(e) => setFromName(e.target.value)} slotProps={{ htmlInput: { 'data-testid': notificationsTestIds.smtpName } }} />
      </Box>
      <Button variant="outlined" onClick={() => void saveSmtp.run()} disabled={saveSmtp.busy || view === null} data-testid={notificationsTestIds.smtpSave} sx={{ mb: 3 }}>
        {t('account.notifications.saveSmtp')}
      </Button>

      <Typography variant="subtitle1" component="h3" sx={{ mb: 1 }}>
        {t('account.notifications.smsTitle')}
      </Typography>
      <Typography color="text.secondary" variant="body2" sx={{ mb: 1 }}>
        {/* The template's own placeholders, shown as code: they are the syntax the holder's gateway template uses. */}
        <Trans i18nKey="account.notifications.smsHint" values={{ to: '{{to}}', text: '{{text}}' }} components={[<code key="to" />, <code key="text" />]} />
      </Typography>
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', sm: '3fr 1fr' }, gap: 2, mb: 2 }}>
        <TextField type="url" label={t('account.notifications.smsUrl')} value={smsUrl} onChange={(e) => setSmsUrl(e.target.value)} slotProps={{ htmlInput: { 'data-testid': notificationsTestIds.smsUrl } }} />
        <FormControl>
          <InputLabel id={methodLabel}>{t('account.notifications.smsMethod')}</InputLabel>
          <Select labelId={methodLabel} label={t('account.notifications.smsMethod')} value={smsMethod} data-testid={notificationsTestIds.smsMethod} onChange={(e) => setSmsMethod(e.target.value === 'GET' ? 'GET' : 'POST')}>
            <MenuItem value="POST">POST</MenuItem>
            <MenuItem value="GET">GET</MenuItem>
          </Select>
        </FormControl>
      </Box>
      <TextField
        fullWidth
        label={t('account.notifications.smsTemplate')}
        value={smsTemplate}
        onChange={(e) => setSmsTemplate(e.target.value)}
        sx={{ mb: 2 }}
        slotProps={{ htmlInput: { spellCheck: false, 'data-testid': notificationsTestIds.smsTemplate } }}
      />
      <Button variant="outlined" onClick={() => void saveSms.run()} disabled={saveSms.busy || view === null} data-testid={notificationsTestIds.smsSave} sx={{ mb: 3 }}>
        {t('account.notifications.saveSms')}
      </Button>

      <Typography variant="subtitle1" component="h3" sx={{ mb: 1 }}>
        {t('account.notifications.testTitle')}
      </Typography>
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap', mb: 1 }}>
        <TextField label={testSms ? t('account.notifications.testToSms') : t('account.notifications.testTo')} value={testTo} onChange={(e) => setTestTo(e.target.value)} sx={{ minWidth: 280 }} slotProps={{ htmlInput: { 'data-testid': notificationsTestIds.testTo } }} />
        <FormControlLabel control={<Switch checked={testSms} onChange={(e) => setTestSms(e.target.checked)} slotProps={{ input: { 'data-testid': notificationsTestIds.testSms } as never }} />} label={t('account.notifications.testBySms')} />
        <Button variant="contained" onClick={() => void sendTest.run()} disabled={sendTest.busy || testTo.trim().length < 3} data-testid={notificationsTestIds.testSend}>
          {t('account.notifications.sendTest')}
        </Button>
      </Box>
      {testResult !== null ? (
        <Alert severity={testResult.ok ? 'success' : 'error'} sx={{ mb: 3 }} data-testid={notificationsTestIds.testResult} data-ok={String(testResult.ok)}>
          {testResult.ok ? t('account.notifications.testSent', { to: testTo.trim() }) : `${t(`account.notifications.failures.${testResult.reason}`)} (${testResult.error})`}
        </Alert>
      ) : (
        <Box sx={{ mb: 3 }} />
      )}

      <Typography variant="subtitle1" component="h3" sx={{ mb: 1 }}>
        {t('account.notifications.outboxTitle')}
      </Typography>
      {outbox !== null ? (
        <Typography color="text.secondary" variant="body2" sx={{ mb: 1 }}>
          {t('account.notifications.counts', { queued: outbox.counts.queued, sent: outbox.counts.sent, failed: outbox.counts.failed })}
        </Typography>
      ) : null}
      <FormControlLabel
        control={<Switch checked={failedOnly} onChange={(e) => setFailedOnly(e.target.checked)} slotProps={{ input: { 'data-testid': notificationsTestIds.outboxFailedOnly } as never }} />}
        label={t('account.notifications.failedOnly')}
      />
      {outbox !== null && outbox.messages.length === 0 ? <Typography sx={{ mt: 1 }}>{failedOnly ? t('account.notifications.noFailures') : t('account.notifications.empty')}</Typography> : null}
      {outbox !== null && outbox.messages.length > 0 ? (
        <Table size="small" aria-label={t('account.notifications.outboxTitle')}>
          <TableHead>
            <TableRow>
              <TableCell>{t('account.notifications.columns.time')}</TableCell>
              <TableCell>{t('account.notifications.columns.kind')}</TableCell>
              <TableCell>{t('account.notifications.columns.recipient')}</TableCell>
              <TableCell>{t('account.notifications.columns.state')}</TableCell>
              <TableCell align="right">{t('account.notifications.columns.attempts')}</TableCell>
              <TableCell>{t('account.notifications.columns.lastError')}</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {outbox.messages.map((m) => (
              <TableRow key={m.id} data-testid={notificationsTestIds.outboxRow} data-state={m.state}>
                <TableCell>{format.dateTime(m.createdAt)}</TableCell>
                <TableCell>{t(`account.notifications.kinds.${m.kind}`, { defaultValue: m.kind })}</TableCell>
                <TableCell sx={{ wordBreak: 'break-all' }}>{m.to}</TableCell>
                <TableCell>{t(`account.notifications.states.${m.state}`)}</TableCell>
                <TableCell align="right">{format.number(m.attempts)}</TableCell>
                <TableCell sx={{ wordBreak: 'break-word' }}>{m.lastError ?? ''}</TableCell>
                <TableCell>
                  {m.state === 'failed' || (m.state === 'queued' && m.lastError !== null) ? (
                    <Button size="small" onClick={() => void retry.run(m.id)} disabled={retry.busy} data-testid={notificationsTestIds.outboxRetry}>
                      {t('account.notifications.retry')}
                    </Button>
                  ) : null}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </Paper>
  );
}
