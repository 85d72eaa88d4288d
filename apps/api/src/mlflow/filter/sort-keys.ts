/** The runs filter language's keyset pagination, reused for MLflow page tokens. */
export { afterCursor, decodeCursor, encodeCursor, orderBy, type SortKey as SortKeyLike } from '../../runs/filter/sort';
export { FilterError } from '../../runs/filter/ast';
