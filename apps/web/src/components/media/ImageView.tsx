import type { StoredMedia } from '@trackbase/contracts';
import { useEffect, useRef } from 'react';
import { colorOf } from './MediaCharts';

/** Which classes show, per box group and per mask group: `group:classId` hidden. */
export type HiddenClasses = Set<string>;

type Box = { box: [number, number, number, number]; classId?: number; score?: number; label?: string };

/** Boxes in the image's pixel space, whatever convention they were logged in. */
function toRect(b: Box, group: { coordinates: string; format: string }, width: number, height: number) {
  let [a, c, d, e] = b.box;
  if (group.coordinates === 'fraction') [a, c, d, e] = [a * width, c * height, d * width, e * height];
  return group.format === 'xywh' ? { x: a, y: c, w: d, h: e } : { x: a, y: c, w: d - a, h: e - c };
}

function MaskCanvas({
  url,
  name,
  hidden,
  width,
  height,
}: {
  url: string;
  name: string;
  hidden: HiddenClasses;
  width: number;
  height: number;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const image = new window.Image();
    image.crossOrigin = 'anonymous';
    image.onload = () => {
      const canvas = ref.current;
      if (!canvas) return;
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      ctx.drawImage(image, 0, 0);
      const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height);
      for (let i = 0; i < pixels.data.length; i += 4) {
        const id = pixels.data[i]!;
        const show = id !== 0 && !hidden.has(`${name}:${id}`);
        const color = colorOf(id);
        pixels.data[i] = parseInt(color.slice(1, 3), 16);
        pixels.data[i + 1] = parseInt(color.slice(3, 5), 16);
        pixels.data[i + 2] = parseInt(color.slice(5, 7), 16);
        pixels.data[i + 3] = show ? 110 : 0;
      }
      ctx.putImageData(pixels, 0, 0);
    };
    image.src = url;
  }, [url, name, hidden]);
  return <canvas ref={ref} className="mask" data-mask={name} style={{ aspectRatio: `${width} / ${height}` }} />;
}

/** An image with its boxes and masks drawn over it, each class shown or hidden as toggled. */
export function ImageView({
  item,
  hidden,
  full,
  onOpen,
}: {
  item: StoredMedia;
  hidden: HiddenClasses;
  full?: boolean;
  onOpen?: () => void;
}) {
  const width = item.width ?? 1;
  const height = item.height ?? 1;
  const src = full ? item.url : (item.thumbnailUrl ?? item.url);
  return (
    <figure className={full ? 'media-image full' : 'media-image'}>
      <div
        className="media-stack"
        onClick={onOpen}
        role={onOpen ? 'button' : undefined}
        aria-label={onOpen ? `open ${item.key} ${item.index}` : undefined}
      >
        {src && <img src={src} alt={item.caption ?? `${item.key} ${item.step}/${item.index}`} />}
        {Object.entries(item.masks ?? {}).map(([name, mask]) => (
          <MaskCanvas key={name} url={mask.url} name={name} hidden={hidden} width={width} height={height} />
        ))}
        {item.boxes && (
          <svg className="boxes" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none">
            {Object.entries(item.boxes).flatMap(([group, g]) =>
              g.boxes
                .filter((b) => !hidden.has(`${group}:${b.classId ?? 'none'}`))
                .map((b, i) => {
                  const r = toRect(b as Box, g, width, height);
                  const name = b.label ?? (b.classId !== undefined ? (g.classNames?.[String(b.classId)] ?? String(b.classId)) : group);
                  return (
                    <g key={`${group}-${i}`} className="box" data-class={name}>
                      <rect
                        x={r.x}
                        y={r.y}
                        width={r.w}
                        height={r.h}
                        fill="none"
                        stroke={colorOf(b.classId ?? 0)}
                        strokeWidth={Math.max(1, width / 150)}
                      />
                      <text x={r.x + 2} y={r.y + Math.max(8, width / 25)} fontSize={Math.max(8, width / 25)} fill={colorOf(b.classId ?? 0)}>
                        {name}
                        {b.score !== undefined ? ` ${b.score.toFixed(2)}` : ''}
                      </text>
                    </g>
                  );
                }),
            )}
          </svg>
        )}
      </div>
      {item.thumbnailState === 'failed' && (
        <div className="muted" role="note" title={item.thumbnailError?.message}>
          could not be decoded
        </div>
      )}
      {item.caption && <figcaption>{item.caption}</figcaption>}
    </figure>
  );
}

/** Every class the items' boxes and masks name, for the toggles. */
export function classesOf(items: StoredMedia[]): Array<{ id: string; label: string }> {
  const seen = new Map<string, string>();
  for (const item of items) {
    for (const [group, g] of Object.entries(item.boxes ?? {}))
      for (const b of g.boxes) {
        const id = `${group}:${b.classId ?? 'none'}`;
        if (!seen.has(id)) seen.set(id, `${group}: ${b.classId !== undefined ? (g.classNames?.[String(b.classId)] ?? b.classId) : group}`);
      }
    for (const [name, mask] of Object.entries(item.masks ?? {}))
      for (const [classId, label] of Object.entries(mask.classNames ?? {})) seen.set(`${name}:${classId}`, `${name}: ${label}`);
  }
  return [...seen.entries()].map(([id, label]) => ({ id, label }));
}

/** One checkbox per box or mask class; unchecking one hides that class wherever `hidden` is passed to an image. */
export function ClassToggles({
  classes,
  hidden,
  onChange,
}: {
  classes: Array<{ id: string; label: string }>;
  hidden: HiddenClasses;
  onChange: (next: HiddenClasses) => void;
}) {
  if (!classes.length) return null;
  const toggle = (id: string) => {
    const next = new Set(hidden);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    onChange(next);
  };
  return (
    <fieldset className="media-classes" aria-label="Boxes and masks">
      <legend>Boxes and masks</legend>
      {classes.map((c) => (
        <label key={c.id}>
          <input type="checkbox" checked={!hidden.has(c.id)} onChange={() => toggle(c.id)} />
          {c.label}
        </label>
      ))}
    </fieldset>
  );
}
