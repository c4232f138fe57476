import { useEffect, useState } from 'react';
import type { AuditOperator } from '@shared/schemas/audit';
import { carddesk, unwrap } from '../../api/carddesk';

/**
 * The desk's operator accounts (removed ones too), asked once per screen: the operator filter
 * suggests their names and the table names the operators who acted. Empty when they cannot be
 * read (the vault locked): the filter still takes a typed name, the table shows ids.
 */
export function useAuditOperators(): readonly AuditOperator[] {
  const [operators, setOperators] = useState<readonly AuditOperator[]>([]);
  useEffect(() => {
    let current = true;
    unwrap(carddesk().audit.operators())
      .then((list) => current && setOperators(list))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, []);
  return operators;
}
