import type { PhrasingContent, Root, Text } from 'mdast';
import { SKIP, visit } from 'unist-util-visit';
import { findReferences, referenceHref, viewUrlReference } from './references';

/** Turns run keys and artifact references in text into `trackbase:` links (not inside links, code or math). */
export function remarkReferences() {
  return (tree: Root) => {
    // A saved view's URL (a link, or an autolinked URL) becomes a live reference to the view.
    visit(tree, 'link', (node) => {
      const reference = viewUrlReference(node.url);
      if (reference) node.url = referenceHref(reference);
    });
    visit(tree, 'text', (node: Text, index, parent) => {
      if (!parent || index === undefined || parent.type === 'link' || parent.type === 'linkReference') return;
      const matches = findReferences(node.value);
      if (!matches.length) return;
      const pieces: PhrasingContent[] = [];
      let at = 0;
      for (const m of matches) {
        if (m.start > at) pieces.push({ type: 'text', value: node.value.slice(at, m.start) });
        pieces.push({ type: 'link', url: referenceHref(m.reference), children: [{ type: 'text', value: m.text }] });
        at = m.end;
      }
      if (at < node.value.length) pieces.push({ type: 'text', value: node.value.slice(at) });
      parent.children.splice(index, 1, ...(pieces as never[]));
      return [SKIP, index + pieces.length];
    });
  };
}
