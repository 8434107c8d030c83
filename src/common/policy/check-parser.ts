/**
 * oslo.policy's check-string language, parsed into a tree:
 *
 *   expr    := and ('or' and)*
 *   and     := unary ('and' unary)*
 *   unary   := 'not' unary | '(' expr ')' | check
 *   check   := '@' | '!' | kind ':' match
 *
 * `not` binds tighter than `and`, `and` tighter than `or`, as oslo's reducer does. Tokens are
 * split on whitespace; parentheses are peeled off a token's ends (so `%(x)s` inside a check is
 * safe) and `and`/`or`/`not` are case-insensitive, also as oslo. The empty string allows all.
 * Unlike oslo, which logs and denies, a string that does not parse is an error to report.
 */

export type CheckNode =
  | { readonly type: 'always' }
  | { readonly type: 'never' }
  | { readonly type: 'and'; readonly checks: readonly CheckNode[] }
  | { readonly type: 'or'; readonly checks: readonly CheckNode[] }
  | { readonly type: 'not'; readonly check: CheckNode }
  /** `rule:name`: another rule's result; a missing rule denies. */
  | { readonly type: 'rule'; readonly name: string }
  /** `role:admin`: the caller holds the role (case-insensitive). */
  | { readonly type: 'role'; readonly match: MatchTemplate }
  /** `user_id:%(user_id)s`: a credential, found by dotted path, equals the match. */
  | { readonly type: 'credential'; readonly path: readonly string[]; readonly match: MatchTemplate }
  /** `'member':%(role.name)s`, `True:%(enabled)s`: a Python literal equals the match. */
  | { readonly type: 'literal'; readonly value: string; readonly match: MatchTemplate }
  /**
   * Neutron's `field:networks:shared=True`: the target's attribute (here `shared`) equals the
   * value, or with `=~` matches it as a regular expression (`field:port:device_owner=~^network:`).
   */
  | { readonly type: 'field'; readonly attribute: string; readonly value: string | RegExp };

/** The right-hand side: literal text and `%(key)s` references to the target, in order. */
export type MatchTemplate = readonly (string | { readonly targetKey: string })[];

/** The check string is not valid; `position` is the 0-based offset where the problem is. */
export class CheckParseError extends Error {
  readonly position: number;

  constructor(message: string, position: number) {
    super(`${message} at position ${position}`);
    this.name = 'CheckParseError';
    this.position = position;
  }
}

type Token =
  | { readonly kind: '(' | ')' | 'and' | 'or' | 'not'; readonly position: number }
  | { readonly kind: 'check'; readonly text: string; readonly position: number };

export function parseCheckString(source: string): CheckNode {
  if (source === '') return { type: 'always' };
  const tokens = tokenize(source);
  if (tokens.length === 0) throw new CheckParseError('Empty check string (write "" or "@" to allow all)', 0);
  const parser = new Parser(tokens, source.length);
  return parser.parse();
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  for (const word of source.matchAll(/\S+/g)) {
    let text = word[0];
    let position = word.index;
    while (text.startsWith('(')) {
      tokens.push({ kind: '(', position });
      text = text.slice(1);
      position += 1;
    }
    let closing = 0;
    while (text.endsWith(')')) {
      closing += 1;
      text = text.slice(0, -1);
    }
    if (text !== '') {
      const lowered = text.toLowerCase();
      if (lowered === 'and' || lowered === 'or' || lowered === 'not') tokens.push({ kind: lowered, position });
      else tokens.push({ kind: 'check', text, position });
    }
    for (let i = 0; i < closing; i += 1) tokens.push({ kind: ')', position: position + text.length + i });
  }
  return tokens;
}

class Parser {
  #index = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly end: number,
  ) {}

  parse(): CheckNode {
    const node = this.#or();
    const extra = this.tokens[this.#index];
    if (extra !== undefined) throw new CheckParseError(`Unexpected ${describe(extra)}`, extra.position);
    return node;
  }

  #or(): CheckNode {
    const checks = [this.#and()];
    while (this.#accept('or')) checks.push(this.#and());
    return checks.length === 1 && checks[0] !== undefined ? checks[0] : { type: 'or', checks };
  }

  #and(): CheckNode {
    const checks = [this.#unary()];
    while (this.#accept('and')) checks.push(this.#unary());
    return checks.length === 1 && checks[0] !== undefined ? checks[0] : { type: 'and', checks };
  }

  #unary(): CheckNode {
    const token = this.tokens[this.#index];
    if (token === undefined) throw new CheckParseError('Expected a check', this.end);
    this.#index += 1;
    switch (token.kind) {
      case 'not':
        return { type: 'not', check: this.#unary() };
      case '(': {
        const inner = this.#or();
        const close = this.tokens[this.#index];
        if (close?.kind !== ')') throw new CheckParseError("Unclosed '('", token.position);
        this.#index += 1;
        return inner;
      }
      case 'check':
        return parseCheck(token.text, token.position);
      default:
        throw new CheckParseError(`Expected a check, found ${describe(token)}`, token.position);
    }
  }

  #accept(kind: 'and' | 'or'): boolean {
    if (this.tokens[this.#index]?.kind !== kind) return false;
    this.#index += 1;
    return true;
  }
}

function describe(token: Token): string {
  return token.kind === 'check' ? `"${token.text}"` : `'${token.kind}'`;
}

function parseCheck(text: string, position: number): CheckNode {
  if (text === '@') return { type: 'always' };
  if (text === '!') return { type: 'never' };
  if (/^(['"]).*\1$/.test(text)) throw new CheckParseError(`A quoted string is not a check: ${text}`, position);
  const colon = text.indexOf(':');
  if (colon <= 0) throw new CheckParseError(`Expected kind:match, found "${text}"`, position);
  const kind = text.slice(0, colon);
  const rest = text.slice(colon + 1);
  if (kind === 'rule') {
    if (rest === '') throw new CheckParseError('rule: needs a rule name', position);
    return { type: 'rule', name: rest };
  }
  if (kind === 'field') return parseField(rest, position);
  const match = parseMatch(rest, position + colon + 1);
  if (kind === 'role') return { type: 'role', match };
  const literal = pythonLiteral(kind);
  if (literal !== undefined) return { type: 'literal', value: literal, match };
  return { type: 'credential', path: kind.split('.'), match };
}

function parseField(text: string, position: number): CheckNode {
  const field = /^[^:]+:([^=]+)=(~?)(.*)$/.exec(text);
  if (field?.[1] === undefined || field[3] === undefined) throw new CheckParseError(`Expected field:resource:attribute=value, found "field:${text}"`, position);
  return { type: 'field', attribute: field[1], value: field[2] === '~' ? new RegExp(field[3]) : field[3] };
}

/** Python's `"…" % target` subset oslo relies on: `%(key)s` and `%%`. */
function parseMatch(text: string, position: number): MatchTemplate {
  const parts: (string | { targetKey: string })[] = [];
  let literal = '';
  let index = 0;
  while (index < text.length) {
    const percent = text.indexOf('%', index);
    if (percent < 0) {
      literal += text.slice(index);
      break;
    }
    literal += text.slice(index, percent);
    if (text[percent + 1] === '%') {
      literal += '%';
      index = percent + 2;
      continue;
    }
    const reference = /^%\(([^)]+)\)s/.exec(text.slice(percent));
    if (reference === null || reference[1] === undefined) {
      throw new CheckParseError("Expected %(name)s or %% after '%'", position + percent);
    }
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push({ targetKey: reference[1] });
    index = percent + reference[0].length;
  }
  if (literal !== '' || parts.length === 0) parts.push(literal);
  return parts;
}

/** The `str()` of a Python literal kind (`'member'`, `True`, `1`), or undefined for a credential path. */
function pythonLiteral(kind: string): string | undefined {
  const quoted = /^(['"])(.*)\1$/.exec(kind);
  if (quoted !== null) return quoted[2];
  if (kind === 'True' || kind === 'False' || kind === 'None') return kind;
  if (/^-?\d+$/.test(kind)) return String(Number.parseInt(kind, 10));
  return undefined;
}
