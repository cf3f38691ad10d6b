import { describe, expect, it } from 'vitest';
import { parseRql, RqlSyntaxError } from './rql.js';

describe('parseRql', () => {
  it.each([
    ['eq(attributes/site,"north")', { op: 'eq', path: 'attributes/site', value: 'north' }],
    ["ne(thingId,'a:b')", { op: 'ne', path: 'thingId', value: 'a:b' }],
    [
      'gt(features/temp/properties/value, -2.5e1)',
      { op: 'gt', path: 'features/temp/properties/value', value: -25 },
    ],
    ['le(revision,3)', { op: 'le', path: 'revision', value: 3 }],
    ['eq(attributes/on,true)', { op: 'eq', path: 'attributes/on', value: true }],
    ['eq(attributes/tag,null)', { op: 'eq', path: 'attributes/tag', value: null }],
    ['in(attributes/line,"l1","l2",3)', { op: 'in', path: 'attributes/line', values: ['l1', 'l2', 3] }],
    ['like(thingId,"plant:*")', { op: 'like', path: 'thingId', pattern: 'plant:*' }],
    ['exists(attributes/x)', { op: 'exists', path: 'attributes/x' }],
    ['eq(attributes/q,"say \\"hi\\"")', { op: 'eq', path: 'attributes/q', value: 'say "hi"' }],
  ])('parses %s', (text, filter) => {
    expect(parseRql(text)).toEqual(filter);
  });

  it('parses nested and, or and not with whitespace', () => {
    expect(parseRql(' and( eq(a/b,1) , or(lt(c,2), not(exists(d))) ) ')).toEqual({
      op: 'and',
      filters: [
        { op: 'eq', path: 'a/b', value: 1 },
        {
          op: 'or',
          filters: [
            { op: 'lt', path: 'c', value: 2 },
            { op: 'not', filter: { op: 'exists', path: 'd' } },
          ],
        },
      ],
    });
  });

  it.each([
    ['', 1, 'an operator'],
    ['foo(a,1)', 1, 'an operator'],
    ['eq(a,1', 7, "')'"],
    ['eq(a 1)', 6, "','"],
    ['eq(,1)', 4, 'a property path'],
    ['eq(a//b,1)', 4, 'a property path'],
    ['eq(a,"open)', 12, 'a closing "'],
    ['eq(a,abc)', 6, 'a value'],
    ['in(a)', 5, 'at least one value'],
    ['like(a,3)', 9, 'a quoted pattern'],
    ['eq(a,1) x', 9, 'the end of the filter'],
  ])('rejects %j at column %i', (text, column, expected) => {
    let error: unknown;
    try {
      parseRql(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RqlSyntaxError);
    expect((error as RqlSyntaxError).column).toBe(column);
    expect((error as RqlSyntaxError).message).toContain(expected);
  });

  it('refuses filters nested too deeply', () => {
    expect(() => parseRql(`${'not('.repeat(40)}exists(a)${')'.repeat(40)}`)).toThrow(RqlSyntaxError);
  });
});
