import type { PanelBlock } from '@trackbase/contracts';

/** A panel's caption: its title, or what it shows. */
export function panelTitle(block: PanelBlock): string {
  if (block.title) return block.title;
  switch (block.type) {
    case 'line':
      return block.metrics.join(', ');
    case 'runs':
      return 'Runs';
    case 'scatter':
      return `${block.y.name} vs ${block.x.name}`;
    case 'parallel':
      return [...block.params, ...block.metrics].join(', ');
    case 'media':
      return block.keys.join(', ');
  }
}
