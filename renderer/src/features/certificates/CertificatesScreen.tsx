import { useTranslation } from 'react-i18next';
import { PlannedScreen } from '../../components/PlannedScreen';

export function CertificatesScreen() {
  const { t } = useTranslation();
  return <PlannedScreen title={t('nav.certificates')} body={t('planned.certificates.body')} />;
}
