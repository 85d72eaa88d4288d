import { invalidParameter } from '../mlflow.errors';

/** One `entity.key op value` clause of an MLflow search filter (clauses are joined by AND only). */
export interface MlflowClause {
  entity: 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';
  key: string;
  op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN' | 'IS NULL' | 'IS NOT NULL';
  value: string | number | Array<string | number> | null;
}

const ENTITIES: Record<string, MlflowClause['entity']> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

type Token = { kind: 'word' | 'string' | 'number' | 'op' | 'lparen' | 'rparen' | 'comma'; text: string; at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      let out = '';
      while (j < text.length && (text[j] !== c || text[j + 1] === c)) {
        // A doubled quote (SQL style) or a backslash escapes the next character.
        if ((text[j] === '\\' || text[j] === c) && j + 1 < text.length) j++;
        out += text[j];
        j++;
      }
      if (j >= text.length) throw invalidParameter(`unterminated quote at character ${at + 1} of the filter`);
      tokens.push({ kind: c === "'" ? 'string' : 'word', text: out, at });
      // A double-quoted or backticked part is an identifier piece; a single-quoted one a value.
      if (c === '"') tokens[tokens.length - 1]!.kind = 'string';
      i = j + 1;
      continue;
    }
    const op = /^(!=|<>|>=|<=|=|<|>)/.exec(text.slice(i));
    if (op) {
      tokens.push({ kind: 'op', text: op[1] === '<>' ? '!=' : op[1]!, at });
      i += op[1]!.length;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c === '(' ? 'lparen' : c === ')' ? 'rparen' : 'comma', text: c, at });
      i++;
      continue;
    }
    const num = /^-?(\d+\.?\d*(e[+-]?\d+)?|\.\d+)/i.exec(text.slice(i));
    if (
      num &&
      (tokens.length === 0 ||
        tokens[tokens.length - 1]!.kind === 'op' ||
        tokens[tokens.length - 1]!.kind === 'lparen' ||
        tokens[tokens.length - 1]!.kind === 'comma')
    ) {
      tokens.push({ kind: 'number', text: num[0], at });
      i += num[0].length;
      continue;
    }
    const word = /^[\w.\-/:]+/.exec(text.slice(i));
    if (!word) throw invalidParameter(`unexpected character '${c}' at character ${at + 1} of the filter`);
    tokens.push({ kind: 'word', text: word[0], at });
    i += word[0].length;
  }
  return tokens;
}

/** Parses MLflow's search filter grammar (`metrics.acc > 0.9 and params.lr = '0.01'`) into clauses. */
export function parseMlflowFilter(text: string): MlflowClause[] {
  const tokens = tokenize(text);
  const clauses: MlflowClause[] = [];
  let i = 0;
  const peek = () => tokens[i];
  const fail = (what: string): never => {
    const t = peek();
    throw invalidParameter(`Invalid filter: ${what}${t ? ` at character ${t.at + 1} ('${t.text}')` : ' at the end'}`);
  };
  const isWord = (w: string) => peek()?.kind === 'word' && peek()!.text.toUpperCase() === w;
  while (i < tokens.length) {
    if (clauses.length) {
      if (!isWord('AND')) fail('expected AND (MLflow filters join clauses with AND only)');
      i++;
    }
    // identifier: entity.key, where key may be quoted; a bare key is an attribute
    const first = peek();
    if (!first || (first.kind !== 'word' && first.kind !== 'string')) fail('expected a field such as metrics.acc');
    i++;
    let entity: MlflowClause['entity'] = 'attribute';
    let key = first!.text;
    const dot = first!.kind === 'word' ? first!.text.indexOf('.') : -1;
    if (dot > 0 && ENTITIES[first!.text.slice(0, dot).toLowerCase()]) {
      entity = ENTITIES[first!.text.slice(0, dot).toLowerCase()]!;
      key = first!.text.slice(dot + 1);
      if (!key) {
        const quoted = peek();
        if (!quoted || (quoted.kind !== 'word' && quoted.kind !== 'string')) fail('expected a key after the entity');
        key = quoted!.text;
        i++;
      }
    }
    let op: MlflowClause['op'];
    const t = peek();
    if (t?.kind === 'op') {
      op = t.text as MlflowClause['op'];
      i++;
    } else if (isWord('LIKE') || isWord('ILIKE') || isWord('IN')) {
      op = peek()!.text.toUpperCase() as MlflowClause['op'];
      i++;
    } else if (isWord('NOT')) {
      i++;
      if (!isWord('IN')) fail('expected IN after NOT');
      i++;
      op = 'NOT IN';
    } else if (isWord('IS')) {
      i++;
      let negated = false;
      if (isWord('NOT')) {
        negated = true;
        i++;
      }
      if (!isWord('NULL')) fail('expected NULL');
      i++;
      clauses.push({ entity, key, op: negated ? 'IS NOT NULL' : 'IS NULL', value: null });
      continue;
    } else {
      return fail('expected a comparison operator');
    }
    if (op === 'IN' || op === 'NOT IN') {
      if (peek()?.kind !== 'lparen') fail('expected ( after IN');
      i++;
      const values: Array<string | number> = [];
      while (peek() && peek()!.kind !== 'rparen') {
        const v = peek()!;
        if (v.kind !== 'string' && v.kind !== 'number') fail('expected a value in the list');
        values.push(v.kind === 'number' ? Number(v.text) : v.text);
        i++;
        if (peek()?.kind === 'comma') i++;
      }
      if (peek()?.kind !== 'rparen') fail('expected ) to end the list');
      i++;
      clauses.push({ entity, key, op, value: values });
      continue;
    }
    const v = peek();
    if (!v || (v.kind !== 'string' && v.kind !== 'number')) fail('expected a value (a number, or a quoted string)');
    i++;
    clauses.push({ entity, key, op, value: v!.kind === 'number' ? Number(v!.text) : v!.text });
  }
  return clauses;
}
