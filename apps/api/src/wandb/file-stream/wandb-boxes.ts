import { MEDIA_LIMITS, type BoxGroup } from '@trackbase/contracts';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** W&B's class labels (`{0: "cat"}`, keys sent as strings) as Trackbase class names; others dropped. */
export function classNamesOf(labels: unknown): Record<string, string> | undefined {
  if (!isObject(labels)) return undefined;
  const out: Record<string, string> = {};
  for (const [id, name] of Object.entries(labels)) {
    if (/^\d{1,6}$/.test(id) && typeof name === 'string') out[id] = name.slice(0, 250);
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * A `wandb.Image`'s box group file (`{"box_data": [...], "class_labels": {...}}`) as a Trackbase box group.
 * Each box is `{"position": {"minX", "maxX", "minY", "maxY"} | {"middle": [x, y], "width", "height"},
 * "domain": "pixel" | (fraction), "class_id", "box_caption", "scores": {name: value}}`. W&B lets boxes
 * of one group mix formats and domains, Trackbase's group has one of each: boxes become corners
 * (`xyxy`), and a group whose boxes mix domains keeps the domain of the first. Boxes that are not
 * numbers are skipped; the first score (`score`, else any) is the box's score.
 */
export function wandbBoxGroup(file: unknown): BoxGroup | null {
  if (!isObject(file) || !Array.isArray(file.box_data)) return null;
  const data = file.box_data.slice(0, MEDIA_LIMITS.boxesPerImage).filter(isObject);
  const coordinates: BoxGroup['coordinates'] = data[0]?.domain === 'pixel' ? 'pixel' : 'fraction';
  const boxes: BoxGroup['boxes'] = [];
  for (const entry of data) {
    if ((entry.domain === 'pixel' ? 'pixel' : 'fraction') !== coordinates) continue;
    const corners = cornersOf(entry.position);
    if (!corners) continue;
    const box: BoxGroup['boxes'][number] = { box: corners };
    if (Number.isSafeInteger(entry.class_id) && (entry.class_id as number) >= 0) box.classId = entry.class_id as number;
    if (typeof entry.box_caption === 'string' && entry.box_caption) box.label = entry.box_caption.slice(0, 250);
    const score = scoreOf(entry.scores);
    if (score !== undefined) box.score = score;
    boxes.push(box);
  }
  const classNames = classNamesOf(file.class_labels);
  return { coordinates, format: 'xyxy', boxes, ...(classNames ? { classNames } : {}) };
}

function cornersOf(position: unknown): [number, number, number, number] | null {
  if (!isObject(position)) return null;
  const { minX, maxX, minY, maxY, middle, width, height } = position;
  if (num(minX) && num(maxX) && num(minY) && num(maxY)) return [minX, minY, maxX, maxY];
  if (Array.isArray(middle) && num(middle[0]) && num(middle[1]) && num(width) && num(height)) {
    return [middle[0] - width / 2, middle[1] - height / 2, middle[0] + width / 2, middle[1] + height / 2];
  }
  return null;
}

function scoreOf(scores: unknown): number | undefined {
  if (!isObject(scores)) return undefined;
  if (num(scores.score)) return scores.score;
  return Object.values(scores).find(num);
}
