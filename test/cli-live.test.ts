// Bad arguments to the live commands exit 2 with what was expected, never a stack trace.
import { describe, expect, it } from 'vitest';
import { ars } from './run-cli.js';

describe('live commands on bad input', () => {
  it.each([
    [['agent', '--server', 'not a url', '--id', 'x'], /--server expects a URL/],
    [
      ['agent', '--server', 'http://127.0.0.1:9', '--id', 'x', '--kind', 'mainframe'],
      /--kind expects one of edge, fog, cloud/,
    ],
    [
      ['agent', '--server', 'http://127.0.0.1:9', '--id', 'x', '--compute', 'lots'],
      /--compute expects a number/,
    ],
    [['agent', '--server', 'http://127.0.0.1:9', '--id', 'x'], /cannot connect to http:\/\/127.0.0.1:9/],
    [['devices', 'examples/smart-factory.yaml'], /exactly one of --mqtt URL and --http URL/],
    [['serve', 'no-such-file.yaml', '--port', '0'], /no-such-file.yaml/],
    [['serve', '--port', 'eighty'], /--port expects an integer/],
    [['snapshot', '--server', 'http://127.0.0.1:9'], /cannot reach http:\/\/127.0.0.1:9/],
    [
      ['load', 'examples/smart-factory.yaml', '--server', 'http://127.0.0.1:9', '--factor', '-1'],
      /--factor expects a number/,
    ],
  ])('ars %j exits 2', async (args, message) => {
    const r = await ars(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
