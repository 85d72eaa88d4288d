import {
  confusionMatrixDataSchema,
  curveDataSchema,
  FILE_MEDIA_TYPES,
  histogramDataSchema,
  markdownDataSchema,
  MEDIA_LIMITS,
  MediaErrorCode,
  mediaItemSchema,
  type ParsedMediaItem,
  type RefusedMedia,
} from '@trackbase/contracts';
import type { z } from 'zod';
import { AppError } from '../common/errors/app-error';

const DATA_SCHEMAS: Partial<Record<ParsedMediaItem['type'], z.ZodType>> = {
  histogram: histogramDataSchema,
  confusion_matrix: confusionMatrixDataSchema,
  roc_curve: curveDataSchema,
  pr_curve: curveDataSchema,
  markdown: markdownDataSchema,
};

const invalid = (message: string) => new AppError(400, MediaErrorCode.InvalidMediaItem, message);

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || 'item'}: ${i.message}`)
    .join('; ');
}

/** Checks that typed data has the shape of its type (histogram edges one longer than the counts, square matrices, curves of equal lengths). */
function checkData(item: ParsedMediaItem): void {
  const schema = DATA_SCHEMAS[item.type];
  if (!schema) {
    if (item.data !== undefined) throw invalid(`items of type ${item.type} keep their content in an object, not in data`);
    return;
  }
  if (item.sha256 !== undefined) throw invalid(`items of type ${item.type} carry data, not a content object`);
  const parsed = schema.safeParse(item.data);
  if (!parsed.success) throw invalid(`data of a ${item.type}: ${describeIssues(parsed.error)}`);
  const data = parsed.data as Record<string, unknown>;
  if (item.type === 'histogram') {
    const { edges, counts } = data as z.infer<typeof histogramDataSchema>;
    if (edges.length !== counts.length + 1) throw invalid('a histogram has one edge more than it has counts');
    if (edges.some((e, i) => !Number.isFinite(e) || (i > 0 && e < edges[i - 1]!)))
      throw invalid('histogram edges must be finite and ascending');
  } else if (item.type === 'confusion_matrix') {
    const { classNames, matrix } = data as z.infer<typeof confusionMatrixDataSchema>;
    if (matrix.length !== classNames.length || matrix.some((row) => row.length !== classNames.length))
      throw invalid('a confusion matrix has one row and one column per class');
  } else if (item.type === 'roc_curve' || item.type === 'pr_curve') {
    const { curves } = data as z.infer<typeof curveDataSchema>;
    if (curves.some((c) => c.x.length !== c.y.length)) throw invalid('each curve has as many x as y values');
  }
}

export interface CheckedItem {
  position: number;
  item: ParsedMediaItem;
}

/**
 * Validates each raw item on its own: the good ones come back parsed, each bad
 * one as a refusal naming its position, code and reason.
 */
export function checkItems(raw: unknown[]): { items: CheckedItem[]; refused: RefusedMedia[] } {
  const items: CheckedItem[] = [];
  const refused: RefusedMedia[] = [];
  const seen = new Set<string>();
  raw.forEach((value, position) => {
    const parsed = mediaItemSchema.safeParse(value);
    const label = value && typeof value === 'object' ? (value as { key?: unknown; step?: unknown }) : {};
    const base = {
      index: position,
      key: typeof label.key === 'string' ? label.key : undefined,
      step: typeof label.step === 'number' ? label.step : undefined,
    };
    try {
      if (!parsed.success) throw invalid(describeIssues(parsed.error));
      const item = parsed.data;
      if (FILE_MEDIA_TYPES.includes(item.type)) {
        if (!item.sha256 || item.size === undefined)
          throw invalid(`an item of type ${item.type} names its content object (sha256 and size)`);
        if (item.type === 'image' && item.size > MEDIA_LIMITS.imageBytes)
          throw new AppError(413, MediaErrorCode.MediaTooLarge, `an image may have at most ${MEDIA_LIMITS.imageBytes} bytes`);
      }
      if (item.masks && item.type !== 'image') throw invalid('only images have masks');
      if (item.boxes && item.type !== 'image') throw invalid('only images have boxes');
      checkData(item);
      const inline = JSON.stringify([item.data ?? null, item.boxes ?? null, item.masks ?? null, item.metadata ?? null]).length;
      if (inline > MEDIA_LIMITS.dataBytes)
        throw new AppError(
          413,
          MediaErrorCode.MediaTooLarge,
          `an item's data, boxes, masks and metadata come to ${inline} bytes, more than ${MEDIA_LIMITS.dataBytes}`,
        );
      const identity = `${item.key}\u0000${item.step}\u0000${item.index}`;
      if (seen.has(identity)) throw invalid(`the batch holds two items for key "${item.key}", step ${item.step}, index ${item.index}`);
      seen.add(identity);
      items.push({ position, item });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      refused.push({ ...base, status: error.status, code: error.code, message: error.message });
    }
  });
  return { items, refused };
}
