/**
 * Nova's extra-spec operator grammar, shared by ComputeCapabilitiesFilter and
 * AggregateInstanceExtraSpecsFilter: `=`, `==`, `!=`, `>=`, `<=` (numeric; `=` means at least),
 * `s==`, `s!=`, `s<`, `s<=`, `s>`, `s>=` (string), `<in>` (substring), `<all-in>` (every word a
 * substring), `<or>` (one of). A requirement without an operator must equal the value exactly.
 */
type Op = (value: string, operand: string) => boolean;

const num = Number;

const OPS: Readonly<Record<string, Op>> = {
  '=': (v, o) => num(v) >= num(o),
  '==': (v, o) => num(v) === num(o),
  '!=': (v, o) => num(v) !== num(o),
  '>=': (v, o) => num(v) >= num(o),
  '<=': (v, o) => num(v) <= num(o),
  's==': (v, o) => v === o,
  's!=': (v, o) => v !== o,
  's<': (v, o) => v < o,
  's<=': (v, o) => v <= o,
  's>': (v, o) => v > o,
  's>=': (v, o) => v >= o,
  '<in>': (v, o) => v.includes(o),
};

export function matchesExtraSpec(value: string, requirement: string): boolean {
  const words = requirement.split(/\s+/).filter((word) => word !== '');
  const op = words.shift();
  if (op === '<or>') {
    // `<or> a <or> b`: the operands sit at even positions of what follows the first keyword.
    return words.some((word, index) => index % 2 === 0 && word === value);
  }
  if (op === '<all-in>') return words.length > 0 && words.every((word) => value.includes(word));
  const method = op === undefined ? undefined : OPS[op];
  if (!method) return value === requirement;
  const operand = words[0];
  return operand !== undefined && method(value, operand);
}
