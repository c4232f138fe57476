import { Fragment, useCallback, useEffect, useState } from 'react';
import { Alert, Box, Button, Chip, CircularProgress, Paper, Snackbar, Table, TableBody, TableCell, TableContainer, TableHead, TableRow, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../i18n/format';
import type { Pkcs11Objects, Pkcs11TokenInfo } from '@shared/schemas/pkcs11';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { SecretDialog } from '../../components/SecretDialog';
import { tokensTestIds } from './testIds';

const flagNames = ['loginRequired', 'userPinCountLow', 'userPinFinalTry', 'userPinLocked', 'userPinToBeChanged', 'writeProtected'] as const;

function Objects({ token }: { token: Pkcs11TokenInfo }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [objects, setObjects] = useState<Pkcs11Objects | null>(null);
  const loading = useCommand((moduleId: string, slotId: number) => unwrap(carddesk().tokens.objects({ moduleId, slotId })));
  const get = loading.run;
  useEffect(() => {
    let current = true;
    void get(token.moduleId, token.slotId).then((result) => {
      if (current && result !== undefined) setObjects(result);
    });
    return () => {
      current = false;
    };
  }, [get, token.moduleId, token.slotId]);
  if (loading.error !== null) return <CommandError error={loading.error} />;
  if (objects === null) return <CircularProgress size={20} aria-label={t('tokens.loading')} />;
  if (!objects.ok) return <Alert severity="warning">{t('tokens.login.other')}</Alert>;
  return (
    <Box data-testid={tokensTestIds.objects} sx={{ display: 'grid', gap: 1 }}>
      <Typography variant="subtitle2" component="h3">
        {t('tokens.objects.certificates')}
      </Typography>
      {objects.certificates.length === 0 ? <Typography variant="body2">{t('tokens.objects.noCertificates')}</Typography> : null}
      {objects.certificates.map((certificate) => (
        <Typography variant="body2" key={`c-${certificate.id}-${certificate.label}`}>
          {certificate.label} · {certificate.subject ?? ''}
          {certificate.notAfter === null ? '' : ` · ${t('tokens.objects.validUntil', { date: format.date(certificate.notAfter) })}`}
        </Typography>
      ))}
      <Typography variant="subtitle2" component="h3">
        {t('tokens.objects.keys')}
      </Typography>
      {objects.keys.length === 0 ? <Typography variant="body2">{t('tokens.objects.noKeys')}</Typography> : null}
      {objects.keys.map((key) => (
        <Typography variant="body2" key={`k-${key.kind}-${key.id}-${key.label}`}>
          {key.kind === 'private' ? t('tokens.objects.private') : t('tokens.objects.public')} · {key.label} · {key.keyType} {key.size ?? ''}
        </Typography>
      ))}
    </Box>
  );
}

/** Tokens seen by the PKCS#11 modules, their flags and objects, and a PIN check. */
export function TokensPanel() {
  const { t } = useTranslation();
  const [tokens, setTokens] = useState<Pkcs11TokenInfo[] | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const [checking, setChecking] = useState<Pkcs11TokenInfo | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const listing = useCommand(async () => setTokens(await unwrap(carddesk().tokens.list())));
  const list = listing.run;
  const refresh = useCallback(() => void list(), [list]);
  useEffect(refresh, [refresh]);
  // The list is shown only once the latest look has answered (a refresh hides the old one).
  const shown = listing.busy || listing.error !== null ? null : tokens;
  const loading = tokens === null ? listing.error === null : listing.busy;

  return (
    <Box data-testid={tokensTestIds.panel}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mb: 2 }}>
        <Typography color="text.secondary" sx={{ flexGrow: 1 }}>
          {t('tokens.intro')}
        </Typography>
        <Button onClick={refresh}>{t('tokens.refresh')}</Button>
      </Box>
      {loading ? (
        <Box role="status" sx={{ display: 'flex', gap: 2, alignItems: 'center' }}>
          <CircularProgress size={20} aria-hidden />
          <Typography>{t('tokens.loading')}</Typography>
        </Box>
      ) : null}
      <CommandError error={listing.error} />
      {shown !== null && shown.length === 0 ? (
        <Alert severity="info" data-testid={tokensTestIds.none}>
          {t('tokens.none')}
        </Alert>
      ) : null}
      {shown !== null && shown.length > 0 ? (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small">
            <TableHead>
              <TableRow>
                <TableCell>{t('tokens.table.token')}</TableCell>
                <TableCell>{t('tokens.table.module')}</TableCell>
                <TableCell>{t('tokens.table.slot')}</TableCell>
                <TableCell>{t('tokens.table.serial')}</TableCell>
                <TableCell>{t('tokens.table.state')}</TableCell>
                <TableCell>{t('tokens.table.actions')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {shown.map((token, index) => (
                <Fragment key={`${token.moduleId}/${token.slotId}`}>
                  <TableRow data-testid={tokensTestIds.row} data-token-label={token.label}>
                    <TableCell>
                      {token.label}
                      <Typography variant="body2" color="text.secondary">
                        {token.manufacturer} {token.model}
                      </Typography>
                    </TableCell>
                    <TableCell>{token.moduleName}</TableCell>
                    <TableCell>{token.slotDescription}</TableCell>
                    <TableCell sx={{ fontFamily: 'monospace' }}>{token.serialNumber}</TableCell>
                    <TableCell>
                      <Box sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap' }}>
                        {flagNames
                          .filter((flag) => token.flags[flag])
                          .map((flag) => (
                            <Chip key={flag} size="small" color={flag === 'userPinLocked' ? 'error' : flag === 'loginRequired' ? 'default' : 'warning'} label={t(`tokens.flags.${flag}`)} />
                          ))}
                      </Box>
                    </TableCell>
                    <TableCell>
                      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                        <Button size="small" onClick={() => setOpen(open === index ? null : index)} data-testid={tokensTestIds.showObjects(index)}>
                          {open === index ? t('tokens.hideObjects') : t('tokens.showObjects')}
                        </Button>
                        <Button size="small" variant="outlined" onClick={() => setChecking(token)} data-testid={tokensTestIds.checkPin(index)}>
                          {t('tokens.checkPin')}
                        </Button>
                      </Box>
                    </TableCell>
                  </TableRow>
                  {open === index ? (
                    <TableRow>
                      <TableCell colSpan={6}>
                        <Objects token={token} />
                      </TableCell>
                    </TableRow>
                  ) : null}
                </Fragment>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      ) : null}
      {checking !== null ? (
        <SecretDialog
          testId="dialog-tokenLogin"
          title={`${t('tokens.checkPin')}: ${checking.label}`}
          description={t('tokens.checkPinDescription')}
          fields={[{ id: 'pin', label: t('cards.fields.pin') }]}
          accept="any"
          onSubmit={async (values) => {
            const result = await unwrap(carddesk().tokens.login({ moduleId: checking.moduleId, slotId: checking.slotId, pin: values['pin'] ?? '' }));
            if (result.ok) return result;
            return { ok: false, message: result.reason === 'wrongPin' && result.finalTry ? t('tokens.login.wrongPinFinal') : t(`tokens.login.${result.reason}`) };
          }}
          successMessage={t('tokens.pinOk')}
          onDone={(text) => {
            setChecking(null);
            setMessage(text);
            refresh();
          }}
          onClose={() => {
            setChecking(null);
            refresh();
          }}
        />
      ) : null}
      <Snackbar open={message !== null} autoHideDuration={6000} onClose={() => setMessage(null)} message={<span data-testid={tokensTestIds.message}>{message}</span>} />
    </Box>
  );
}
