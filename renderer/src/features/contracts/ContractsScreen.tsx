import { useTranslation } from 'react-i18next';
import { PlannedScreen } from '../../components/PlannedScreen';

export function ContractsScreen() {
  const { t } = useTranslation();
  return <PlannedScreen title={t('nav.contracts')} body={t('planned.contracts.body')} />;
}
