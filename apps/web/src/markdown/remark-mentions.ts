import type { Root } from 'mdast';
import { visit } from 'unist-util-visit';

/** `@[Ada](user:<id>)`: the `@` before a mention link belongs to the mention, which the renderer shows as `@Name`. */
export function remarkMentions() {
  return (tree: Root) => {
    visit(tree, 'link', (node, index, parent) => {
      if (!parent || index === undefined || index === 0 || !node.url.startsWith('user:')) return;
      const before = parent.children[index - 1];
      if (before?.type === 'text' && before.value.endsWith('@')) before.value = before.value.slice(0, -1);
    });
  };
}
