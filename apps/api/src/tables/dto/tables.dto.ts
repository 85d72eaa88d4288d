import {
  compareTablesQuerySchema,
  compareTablesSchema,
  declareTablesRequestSchema,
  declareTablesResponseSchema,
  TABLE_LIMITS,
  tableListSchema,
  tableRowsQuerySchema,
  tableRowsSchema,
  tableStatsSchema,
} from '@trackbase/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

const key = z.string().min(1).max(TABLE_LIMITS.keyLength);

export class DeclareTablesDto extends createZodDto(declareTablesRequestSchema) {}
export class DeclareTablesResponseDto extends createZodDto(declareTablesResponseSchema) {}
export class TableListDto extends createZodDto(tableListSchema) {}
export class TableRowsDto extends createZodDto(tableRowsSchema) {}
export class TableStatsDto extends createZodDto(tableStatsSchema) {}
export class TableRowsQueryDto extends createZodDto(tableRowsQuerySchema.extend({ key })) {}
export class TableStatsQueryDto extends createZodDto(tableRowsQuerySchema.pick({ step: true, filter: true }).extend({ key })) {}
export class CompareTablesQueryDto extends createZodDto(compareTablesQuerySchema) {}
export class CompareTablesDto extends createZodDto(compareTablesSchema) {}
