import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import {
  Alert,
  Box,
  Breadcrumbs,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Link,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { Link as RouterLink, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../i18n/format';
import type { CardRecord, Holder } from '@shared/schemas/holders';
import type { CertificateSummary } from '@shared/schemas/certificates';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { visuallyHidden } from '../../components/visuallyHidden';
import { HolderAccessHistory } from '../access-history';
import { IssueCertificateDialog, statusColor } from '../certificates';
import { CardWorkflowDialog, type WorkflowRequest, cardStateColor, lifecycleTestIds } from '../lifecycle';
import { HolderLetters } from '../letters';
import { ContractList, contractsTestIds } from '../contracts';
import { HolderCardActions } from './HolderCardActions';
import { HolderAccount } from './account/HolderAccount';
import { MobileIdPanel } from './mobile/MobileIdPanel';
import { HolderDialog } from './HolderDialog';
import { addressLines, holderFormFields } from './holderFields';
import { usersTestIds } from './testIds';

const factFields = ['userNumber', ...holderFormFields, 'language'] as const;

interface Loaded {
  holder: Holder;
  cards: CardRecord[];
  certificates: CertificateSummary[];
}

function RegisterCardDialog({ open, onClose, onSubmit }: { open: boolean; onClose: () => void; onSubmit: (serial: string) => void }) {
  const { t } = useTranslation();
  const [serial, setSerial] = useState('');
  const titleId = useId();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    onSubmit(serial);
    setSerial('');
  };
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby={titleId}>
      <form onSubmit={submit}>
        <DialogTitle id={titleId}>{t('users.cards.registerTitle')}</DialogTitle>
        <DialogContent>
          <TextField label={t('users.cards.serial')} value={serial} onChange={(e) => setSerial(e.target.value)} required autoFocus sx={{ mt: 1 }} slotProps={{ htmlInput: { 'data-testid': usersTestIds.cardSerial } }} />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="contained" data-testid={usersTestIds.cardSave}>
            {t('users.cards.register')}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

/** One holder: identity facts, cards with their life cycle, certificates, and (with the audit log) history. */
export function HolderDetail() {
  const { t } = useTranslation();
  const format = useFormat();
  const { id = '' } = useParams();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [editing, setEditing] = useState(false);
  const [registering, setRegistering] = useState(false);
  const [issuing, setIssuing] = useState(false);
  const [workflow, setWorkflow] = useState<WorkflowRequest | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const loading = useCommand(async (wanted: string) => setLoaded(await unwrap(carddesk().holders.get({ id: wanted }))));
  const get = loading.run;
  const load = useCallback(() => void get(id), [get, id]);
  useEffect(load, [load]);
  const registerCard = useCommand(async (serial: string, holderId: string) => {
    await unwrap(carddesk().directory.registerCard({ serial, holderId }));
    load();
  });

  if (loaded === null) return loading.error === null ? <Typography role="status">{t('common.loading')}</Typography> : <CommandError error={loading.error} />;
  const { holder, cards, certificates } = loaded;
  const date = (iso: string) => format.date(iso);

  return (
    <Box data-testid={usersTestIds.detail} data-holder-id={holder.id} sx={{ maxWidth: 1100 }}>
      <Breadcrumbs aria-label={t('common.breadcrumbs')} sx={{ mb: 1 }}>
        <Link component={RouterLink} to="/users">
          {t('nav.users')}
        </Link>
        <Typography color="text.primary">{`${holder.firstName} ${holder.lastName}`}</Typography>
      </Breadcrumbs>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mb: 2, flexWrap: 'wrap' }}>
        <Typography variant="h4" component="h1">{`${holder.firstName} ${holder.lastName}`}</Typography>
        <Chip label={t(`users.states.${holder.state}`)} color={holder.state === 'active' ? 'success' : 'warning'} size="small" />
        <Button variant="outlined" onClick={() => setEditing(true)} data-testid={usersTestIds.edit}>
          {t('users.edit')}
        </Button>
      </Box>
      <CommandError
        error={registerCard.error ?? loading.error}
        sx={{ mb: 2 }}
        onClose={() => {
          registerCard.reset();
          loading.reset();
        }}
      />
      {notice !== null ? (
        <Alert severity="success" sx={{ mb: 2 }} onClose={() => setNotice(null)} data-testid={lifecycleTestIds.holderCardMessage}>
          {notice}
        </Alert>
      ) : null}

      <Paper variant="outlined" sx={{ p: 3, mb: 3 }}>
        <Box component="dl" sx={{ m: 0, display: 'grid', gridTemplateColumns: { xs: '1fr', md: '200px 1fr 200px 1fr' }, columnGap: 2, rowGap: 1 }}>
          {factFields.map((field) => (
            <Box key={field} sx={{ display: 'contents' }}>
              <Typography component="dt" color="text.secondary">
                {t(`users.fields.${field}`)}
              </Typography>
              <Typography component="dd" sx={{ m: 0, wordBreak: 'break-word' }} data-testid={usersTestIds.fact(field)}>
                {field === 'language' ? t(`language.${holder.language}`) : holder[field] === '' ? '—' : holder[field]}
              </Typography>
            </Box>
          ))}
          {addressLines(holder).map(({ fact, text }) => (
            <Box key={fact} sx={{ display: 'contents' }}>
              <Typography component="dt" color="text.secondary">
                {t(`users.${fact}`)}
              </Typography>
              <Typography component="dd" sx={{ m: 0, wordBreak: 'break-word' }} data-testid={usersTestIds.fact(fact)}>
                {text === '' ? '—' : text}
              </Typography>
            </Box>
          ))}
        </Box>
      </Paper>

      <Paper variant="outlined" sx={{ p: 3, mb: 3 }} data-testid={usersTestIds.cards}>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mb: 1 }}>
          <Typography variant="h6" component="h2">
            {t('users.cards.title')}
          </Typography>
          <Button
            size="small"
            variant="contained"
            disabled={holder.state !== 'active'}
            onClick={() => setWorkflow({ kind: 'issue', reader: null, holder })}
            data-testid={lifecycleTestIds.holderIssue}
          >
            {t('lifecycle.holderCard.issue')}
          </Button>
          <Button size="small" onClick={() => setRegistering(true)} data-testid={usersTestIds.registerCard}>
            {t('users.cards.register')}
          </Button>
        </Box>
        {cards.length === 0 ? (
          <Typography color="text.secondary">{t('users.cards.none')}</Typography>
        ) : (
          <Table size="small" aria-label={t('users.cards.title')}>
            <TableHead>
              <TableRow>
                <TableCell>{t('users.cards.serial')}</TableCell>
                <TableCell>{t('users.cards.state')}</TableCell>
                <TableCell>{t('users.cards.since')}</TableCell>
                <TableCell>
                  <Box component="span" sx={visuallyHidden}>
                    {t('common.actions')}
                  </Box>
                </TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {cards.map((card) => (
                <TableRow key={card.serial} data-testid={usersTestIds.cardRow} data-serial={card.serial} data-state={card.state}>
                  <TableCell sx={{ fontFamily: 'monospace' }}>{card.serial}</TableCell>
                  <TableCell>
                    <Chip size="small" color={cardStateColor(card.state)} label={t(`users.cardStates.${card.state}`)} data-testid={usersTestIds.cardState(card.serial)} />
                  </TableCell>
                  <TableCell>{date(card.updatedAt)}</TableCell>
                  <TableCell>
                    <HolderCardActions
                      holder={holder}
                      card={card}
                      onWorkflow={setWorkflow}
                      onChanged={(message) => {
                        setNotice(message);
                        load();
                      }}
                    />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Paper>

      <HolderAccount holder={holder} onChanged={load} />

      <Paper variant="outlined" sx={{ p: 3, mb: 3 }} data-testid={usersTestIds.certificates}>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mb: 1 }}>
          <Typography variant="h6" component="h2">
            {t('users.certificates.title')}
          </Typography>
          <Button size="small" onClick={() => setIssuing(true)} disabled={holder.state !== 'active'} data-testid={usersTestIds.issue}>
            {t('users.certificates.issue')}
          </Button>
        </Box>
        {certificates.length === 0 ? (
          <Typography color="text.secondary">{t('users.certificates.none')}</Typography>
        ) : (
          <Table size="small" aria-label={t('users.certificates.title')}>
            <TableHead>
              <TableRow>
                <TableCell>{t('certificates.fields.serial')}</TableCell>
                <TableCell>{t('certificates.fields.profile')}</TableCell>
                <TableCell>{t('certificates.fields.status')}</TableCell>
                <TableCell>{t('certificates.fields.notAfter')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {certificates.map((certificate) => (
                <TableRow key={certificate.serial} data-testid={usersTestIds.certificateRow} data-serial={certificate.serial}>
                  <TableCell>
                    <Link component={RouterLink} to={`/certificates/${certificate.serial}`} sx={{ fontFamily: 'monospace' }}>
                      {certificate.serial}
                    </Link>
                  </TableCell>
                  <TableCell>{t(`certificates.profiles.${certificate.profile}`)}</TableCell>
                  <TableCell>
                    <Chip size="small" color={statusColor(certificate.status)} label={t(`certificates.statuses.${certificate.status}`)} />
                  </TableCell>
                  <TableCell>{date(certificate.notAfter)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Paper>

      <MobileIdPanel holder={holder} onChanged={load} />

      <HolderLetters holderId={holder.id} refresh={loaded} />

      <Paper variant="outlined" sx={{ p: 3, mb: 3 }} data-testid={contractsTestIds.holderContracts}>
        <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
          {t('contracts.holder.title')}
        </Typography>
        <ContractList holderId={holder.id} compact />
      </Paper>

      <Paper variant="outlined" sx={{ p: 3 }} data-testid={usersTestIds.history}>
        <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
          {t('users.history.title')}
        </Typography>
        <HolderAccessHistory holderId={holder.id} showHeading={false} />
      </Paper>

      {editing ? (
        <HolderDialog
          holder={holder}
          onClose={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            load();
          }}
        />
      ) : null}
      {workflow !== null ? (
        <CardWorkflowDialog
          initial={workflow}
          onClose={(changed) => {
            setWorkflow(null);
            if (changed) load();
          }}
        />
      ) : null}
      <RegisterCardDialog
        open={registering}
        onClose={() => setRegistering(false)}
        onSubmit={(serial) => {
          setRegistering(false);
          void registerCard.run(serial, holder.id);
        }}
      />
      <IssueCertificateDialog
        open={issuing}
        holderId={holder.id}
        onClose={() => setIssuing(false)}
        onIssued={() => {
          setIssuing(false);
          load();
        }}
      />
    </Box>
  );
}
