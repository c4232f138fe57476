import { useTranslation } from 'react-i18next';
import { PlannedScreen } from '../../components/PlannedScreen';

export function UsersScreen() {
  const { t } = useTranslation();
  return <PlannedScreen title={t('nav.users')} body={t('planned.users.body')} />;
}
