import type { Dispatch, ReactNode, SetStateAction } from 'react';
import { Box, Paper, Table, TableBody, TableCell, TableContainer, TableHead, TablePagination, TableRow, TableSortLabel, Typography, type SxProps, type TableRowProps, type Theme } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { visuallyHidden } from './visuallyHidden';

export interface PagedColumn<Row, Field extends string = string> {
  readonly key: string;
  readonly header: string;
  /** The header is for screen readers only (an actions column). */
  readonly hiddenHeader?: boolean;
  /** Set where the table sorts by this column. */
  readonly sortField?: Field;
  readonly cell: (row: Row) => ReactNode;
  readonly cellSx?: (row: Row) => SxProps<Theme> | undefined;
}

export interface TableSort<Field extends string> {
  readonly field: Field;
  readonly direction: 'asc' | 'desc';
  readonly onSort: (field: Field) => void;
  readonly testId?: (field: Field) => string;
}

export interface TablePage {
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly onPage: (offset: number) => void;
  readonly onLimit: (limit: number) => void;
}

/** Paging kept in a screen's query (offset and limit), as the directory pages server-side. */
export function queryPage<Q extends { offset: number; limit: number }>(total: number, query: Q, setQuery: Dispatch<SetStateAction<Q>>): TablePage {
  return {
    total,
    offset: query.offset,
    limit: query.limit,
    onPage: (offset) => setQuery((q) => ({ ...q, offset })),
    onLimit: (limit) => setQuery((q) => ({ ...q, limit, offset: 0 })),
  };
}

export const rowsPerPageOptions = [10, 25, 50, 100] as const;

/**
 * The one table of a list screen (Users, Certificates, the expiry watch): a status line with the
 * total (or "loading"), sortable headers where the list sorts, an empty state, and paging.
 * `rows` is null while loading. Paging and sorting are the caller's (the directory pages server-side).
 */
export function PagedTable<Row, Field extends string = string>(props: {
  label: string;
  columns: readonly PagedColumn<Row, Field>[];
  rows: readonly Row[] | null;
  rowKey: (row: Row) => string;
  /** Test ids, data attributes and click handling of a row. */
  rowProps?: (row: Row) => TableRowProps & Record<`data-${string}`, string | number | boolean>;
  sort?: TableSort<Field>;
  page?: TablePage;
  /** The line above the table: its text for a total, its test id. Without it, only "loading" is said. */
  total?: { text: (total: number) => string; testId: string };
  /** Shown instead of the table when there are no rows; without it the table shows empty. */
  empty?: ReactNode;
  testId?: string;
}) {
  const { t } = useTranslation();
  const { rows, sort, page, total } = props;
  const count = page?.total ?? rows?.length ?? 0;

  const status =
    total !== undefined ? (
      <Typography role="status" sx={{ mb: 1 }} color="text.secondary" data-testid={total.testId} data-total={rows === null ? 0 : count}>
        {rows === null ? t('common.loading') : total.text(count)}
      </Typography>
    ) : rows === null ? (
      <Typography role="status" sx={{ mb: 1 }} color="text.secondary">
        {t('common.loading')}
      </Typography>
    ) : null;

  if (rows !== null && rows.length === 0 && props.empty !== undefined)
    return (
      <>
        {status}
        {props.empty}
      </>
    );
  if (rows === null && total === undefined) return status;

  return (
    <>
      {status}
      <Paper variant="outlined">
        <TableContainer>
          <Table size="small" aria-label={props.label} data-testid={props.testId}>
            <TableHead>
              <TableRow>
                {props.columns.map((column) => {
                  const sorted = sort !== undefined && column.sortField !== undefined && sort.field === column.sortField;
                  return (
                    <TableCell key={column.key} sortDirection={sorted ? sort.direction : false}>
                      {column.hiddenHeader === true ? (
                        <Box component="span" sx={visuallyHidden}>
                          {column.header}
                        </Box>
                      ) : sort !== undefined && column.sortField !== undefined ? (
                        <SortHeader column={column} sort={sort} field={column.sortField} />
                      ) : (
                        column.header
                      )}
                    </TableCell>
                  );
                })}
              </TableRow>
            </TableHead>
            <TableBody>
              {(rows ?? []).map((row) => (
                <TableRow key={props.rowKey(row)} {...props.rowProps?.(row)}>
                  {props.columns.map((column) => (
                    <TableCell key={column.key} sx={column.cellSx?.(row)}>
                      {column.cell(row)}
                    </TableCell>
                  ))}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
        {page !== undefined ? (
          <TablePagination
            component="div"
            count={page.total}
            page={Math.floor(page.offset / page.limit)}
            rowsPerPage={page.limit}
            rowsPerPageOptions={[...rowsPerPageOptions]}
            onPageChange={(_event, next) => page.onPage(next * page.limit)}
            onRowsPerPageChange={(event) => page.onLimit(Number(event.target.value))}
            labelRowsPerPage={t('common.rowsPerPage')}
            labelDisplayedRows={({ from, to, count: all }) => t('common.displayedRows', { from, to, count: all })}
            getItemAriaLabel={(type) => t(`common.page.${type}`)}
          />
        ) : null}
      </Paper>
    </>
  );
}

function SortHeader<Row, Field extends string>({ column, sort, field }: { column: PagedColumn<Row, Field>; sort: TableSort<Field>; field: Field }) {
  const { t } = useTranslation();
  const active = sort.field === field;
  return (
    <TableSortLabel active={active} direction={active ? sort.direction : 'asc'} onClick={() => sort.onSort(field)} data-testid={sort.testId?.(field)}>
      {column.header}
      {active ? (
        <Box component="span" sx={visuallyHidden}>
          {sort.direction === 'desc' ? t('common.sortedDescending') : t('common.sortedAscending')}
        </Box>
      ) : null}
    </TableSortLabel>
  );
}
