import type { Panel, PanelLayout, Section } from './layout';

/**
 * Moves a panel to `index` of section `to` (its own section or another), as a drop or the keyboard does.
 * `shown` are the sections on screen (explicit and derived); a derived section touched by the move becomes
 * explicit in the layout, as any edit of it does. An unknown panel or section leaves the layout as it was.
 */
export function movePanel(layout: PanelLayout, shown: Section[], panelId: string, to: string, index: number): PanelLayout {
  const from = shown.find((s) => s.panels.some((p) => p.id === panelId));
  const target = shown.find((s) => s.name === to);
  if (!from || !target) return layout;
  const panel = from.panels.find((p) => p.id === panelId)!;
  const rest = from.panels.filter((p) => p.id !== panelId);
  const into = from === target ? rest : target.panels;
  const at = Math.max(0, Math.min(into.length, index));
  const placed: Panel[] = [...into.slice(0, at), panel, ...into.slice(at)];
  if (from === target && placed.every((p, i) => p.id === from.panels[i]!.id)) return layout;

  const changed = new Map<string, Section>([[target.name, { ...target, panels: placed }]]);
  if (from !== target) changed.set(from.name, { ...from, panels: rest });
  const sections = layout.sections.map((s) => changed.get(s.name) ?? s);
  // Newly explicit sections keep the order they were shown in.
  for (const s of shown) if (changed.has(s.name) && !layout.sections.some((e) => e.name === s.name)) sections.push(changed.get(s.name)!);
  return { ...layout, sections };
}
