export { FilterError } from './ast';
export { RunSqlBuilder, describeField } from './compiler';
export { parseField, parseFilter, type FieldResolver } from './parser';
export { afterCursor, compileSort, decodeCursor, encodeCursor, orderBy } from './sort';
