import { addFormulaGuard, removeFormulaGuard } from './formula-guard.js';

describe('addFormulaGuard', () => {
  it.each(['=1+1', '+cmd', '-2+3', '@SUM(A1)', '\tx', '\rx', '   =1', '  +cmd'])('prefixes %j', (text) => {
    expect(addFormulaGuard(text)).toBe(`'${text}`);
  });

  it.each(['Fleet renewal', 'a=b', '1-2', "'quoted", ''])('leaves %j as it is', (text) => {
    expect(addFormulaGuard(text)).toBe(text);
  });
});

describe('removeFormulaGuard', () => {
  it.each(['=1+1', '  +cmd', '@SUM(A1)', 'Fleet renewal', "'quoted"])('restores %j', (text) => {
    expect(removeFormulaGuard(addFormulaGuard(text))).toBe(text);
  });
});
