import {
  ATTRIBUTES,
  FilterError,
  METRIC_STATS,
  type AttributeName,
  type Comparison,
  type FieldRef,
  type FilterNode,
  type Literal,
  type MetricStat,
} from './ast';
import { tokenize, type Token } from './lexer';

export const MAX_DEPTH = 32;
export const MAX_IN_LIST = 1_000;

/**
 * Grammar (keywords are case-insensitive):
 *   expr    := or
 *   or      := and (OR and)*
 *   and     := unary (AND unary)*
 *   unary   := NOT unary | '(' expr ')' | predicate
 *   predicate := EXISTS field | tags CONTAINS string | field op value
 *              | field [NOT] IN '(' value (',' value)* ')' | field [NOT] (LIKE|ILIKE) string
 *              | field IS [NOT] NULL
 *   field   := attribute | params.path | metrics.name[.last|min|max|count|step] | tags
 */
export function parseFilter(text: string, fields?: FieldResolver): FilterNode | null {
  const parser = new Parser(tokenize(text), fields);
  if (parser.peek().type === 'end') return null;
  const node = parser.expression(0);
  parser.expectEnd();
  return node;
}

/** `field` alone, as in a sort key or a column. */
export function parseField(text: string, fields?: FieldResolver): FieldRef {
  const parser = new Parser(tokenize(text), fields);
  const field = parser.field();
  parser.expectEnd();
  return field;
}

/**
 * Names the fields of another kind of record than a run (the columns of a
 * logged table): given the identifier, returns its field or throws a
 * FilterError. Without one, fields are those of runs.
 */
export type FieldResolver = (name: string, position: number) => FieldRef;

class Parser {
  private index = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly resolve?: FieldResolver,
  ) {}

  peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    return this.tokens[this.index++]!;
  }

  private keyword(word: string): boolean {
    const t = this.peek();
    if (t.type === 'ident' && !t.quoted && t.value.toUpperCase() === word) {
      this.index++;
      return true;
    }
    return false;
  }

  private punct(value: string): boolean {
    const t = this.peek();
    if (t.type === 'punct' && t.value === value) {
      this.index++;
      return true;
    }
    return false;
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.type !== 'end') throw new FilterError(`unexpected ${describe(t)}; expected AND, OR or the end`, t.pos);
  }

  expression(depth: number): FilterNode {
    if (depth > MAX_DEPTH) throw new FilterError(`nesting deeper than ${MAX_DEPTH}`, this.peek().pos);
    let left = this.conjunction(depth);
    while (this.keyword('OR')) left = { type: 'or', left, right: this.conjunction(depth) };
    return left;
  }

  private conjunction(depth: number): FilterNode {
    let left = this.unary(depth);
    while (this.keyword('AND')) left = { type: 'and', left, right: this.unary(depth) };
    return left;
  }

  private unary(depth: number): FilterNode {
    if (depth > MAX_DEPTH) throw new FilterError(`nesting deeper than ${MAX_DEPTH}`, this.peek().pos);
    if (this.keyword('NOT')) return { type: 'not', operand: this.unary(depth + 1) };
    if (this.punct('(')) {
      const inner = this.expression(depth + 1);
      const t = this.peek();
      if (!this.punct(')')) throw new FilterError(`expected ')' but found ${describe(t)}`, t.pos);
      return inner;
    }
    return this.predicate();
  }

  private predicate(): FilterNode {
    if (this.keyword('EXISTS')) return { type: 'exists', field: this.field() };
    const field = this.field();
    const t = this.peek();
    if (field.kind === 'tags') {
      if (this.keyword('CONTAINS') || (t.type === 'op' && t.value === '=' && this.next())) {
        const value = this.next();
        if (value.type !== 'string') throw new FilterError(`expected a quoted tag after ${describe(t)}`, value.pos);
        return { type: 'contains', value: value.value };
      }
      throw new FilterError(`tags supports CONTAINS "tag" (or = "tag"), found ${describe(t)}`, t.pos);
    }
    if (t.type === 'op') {
      this.next();
      return { type: 'compare', field, op: t.value as Comparison, value: this.literal(t) };
    }
    if (this.keyword('IS')) {
      const negated = this.keyword('NOT');
      const n = this.peek();
      if (!this.keyword('NULL')) throw new FilterError(`expected NULL after IS${negated ? ' NOT' : ''}`, n.pos);
      return { type: 'null', field, negated };
    }
    const negated = this.keyword('NOT');
    if (this.keyword('IN')) {
      const open = this.peek();
      if (!this.punct('(')) throw new FilterError(`expected '(' after IN`, open.pos);
      const values: Literal[] = [];
      do {
        if (values.length >= MAX_IN_LIST) throw new FilterError(`IN lists hold at most ${MAX_IN_LIST} values`, this.peek().pos);
        values.push(this.literal(open));
      } while (this.punct(','));
      const close = this.peek();
      if (!this.punct(')')) throw new FilterError(`expected ',' or ')' in IN list, found ${describe(close)}`, close.pos);
      return { type: 'in', field, values, negated };
    }
    const like = this.keyword('LIKE') ? 'LIKE' : this.keyword('ILIKE') ? 'ILIKE' : null;
    if (like) {
      const pattern = this.next();
      if (pattern.type !== 'string') throw new FilterError(`expected a quoted pattern after ${like}`, pattern.pos);
      return { type: 'like', field, pattern: pattern.value, negated, caseInsensitive: like === 'ILIKE' };
    }
    throw new FilterError(`expected an operator (=, !=, <, <=, >, >=, IN, LIKE, IS NULL) after the field, found ${describe(t)}`, t.pos);
  }

  private literal(after: Token): Literal {
    const t = this.next();
    if (t.type === 'string' || t.type === 'number') return t.value;
    if (t.type === 'ident' && !t.quoted) {
      const word = t.value.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
    }
    throw new FilterError(`expected a value after ${describe(after)}, found ${describe(t)}; quote strings with "…"`, t.pos);
  }

  field(): FieldRef {
    const t = this.next();
    if (t.type !== 'ident') throw new FilterError(`expected a field such as name, params.lr or metrics.loss, found ${describe(t)}`, t.pos);
    if (this.resolve) return this.resolve(t.value, t.pos);
    const head = t.value.toLowerCase();
    if (!t.quoted && (head === 'params' || head === 'param' || head === 'config')) {
      const path = this.path(t);
      return { kind: 'param', path: path.join('.') };
    }
    if (!t.quoted && (head === 'metrics' || head === 'metric')) {
      const path = this.path(t);
      const last = path.at(-1)!;
      if (path.length > 1 && (METRIC_STATS as readonly string[]).includes(last) && !this.lastWasQuoted) {
        return { kind: 'metric', name: path.slice(0, -1).join('.'), stat: last as MetricStat };
      }
      return { kind: 'metric', name: path.join('.'), stat: 'last' };
    }
    if (!t.quoted && head === 'tags') return { kind: 'tags' };
    if (!t.quoted && head === 'tag') return { kind: 'tags' };
    if (!t.quoted && (ATTRIBUTES as readonly string[]).includes(head)) return { kind: 'attribute', name: head as AttributeName };
    throw new FilterError(
      `unknown field "${t.value}"; use an attribute (${ATTRIBUTES.join(', ')}), params.<path>, metrics.<name>[.min|max|last|count|step] or tags`,
      t.pos,
    );
  }

  private lastWasQuoted = false;

  /** `.a.b` or `.`a b`` after params/metrics. */
  private path(head: Token): string[] {
    const parts: string[] = [];
    while (this.punct('.')) {
      const part = this.next();
      if (part.type === 'ident') {
        parts.push(part.value);
        this.lastWasQuoted = part.quoted;
      } else if (part.type === 'number' && Number.isInteger(part.value) && part.value >= 0) {
        parts.push(String(part.value));
        this.lastWasQuoted = false;
      } else throw new FilterError(`expected a name after '.', found ${describe(part)}`, part.pos);
    }
    if (!parts.length) throw new FilterError(`expected '.' and a name after ${describe(head)}`, head.pos);
    return parts;
  }
}

function describe(t: Token): string {
  switch (t.type) {
    case 'end':
      return 'the end of the filter';
    case 'string':
      return `"${t.value}"`;
    case 'ident':
      return t.quoted ? `\`${t.value}\`` : `'${t.value}'`;
    default:
      return `'${t.value}'`;
  }
}
