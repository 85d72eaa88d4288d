import { describe, expect, it } from 'vitest';
import { numericValues, parseConsoleLine, parseLine, timeOf } from './history-lines';
import { unwrapConfig } from '../runs/wandb-config';
import { apiKeyFrom } from '../wandb-scope.service';

describe('W&B file_stream lines', () => {
  it('parses bare NaN and infinities that JSON.parse refuses', () => {
    const row = parseLine('{"a": NaN, "b": Infinity, "c": -Infinity, "s": "NaN text", "_step": 3}')!;
    const values = numericValues(row);
    expect(values.get('a')).toBeNaN();
    expect(values.get('b')).toBe(Infinity);
    expect(values.get('c')).toBe(-Infinity);
    expect(values.has('s')).toBe(false);
    expect(values.has('_step')).toBe(false);
  });

  it('flattens nested keys and leaves media objects and lists out', () => {
    const row = parseLine('{"train": {"loss": 1, "deep": {"x": true}}, "img": {"_type": "image-file", "path": "a.png"}, "l": [1]}')!;
    expect([...numericValues(row).entries()]).toEqual([
      ['train.loss', 1],
      ['train.deep.x', 1],
    ]);
  });

  it('answers null for a line that is not a JSON object', () => {
    expect(parseLine('[1,2]')).toBeNull();
    expect(parseLine('not json')).toBeNull();
  });

  it('reads _timestamp seconds as milliseconds', () => {
    expect(timeOf({ _timestamp: 1796000000.25 }, 0)).toBe(1796000000250);
    expect(timeOf({}, 42)).toBe(42);
  });

  it('splits console lines into stream, time and text', () => {
    expect(parseConsoleLine('ERROR 2026-12-01T19:28:30.430000 boom', 0)).toEqual({
      stream: 'stderr',
      time: Date.parse('2026-12-01T19:28:30.430Z'),
      text: 'boom',
    });
    expect(parseConsoleLine('2026-12-01T19:28:30.306728 hello', 0).stream).toBe('stdout');
    expect(parseConsoleLine('no time here', 7)).toEqual({ stream: 'stdout', time: 7, text: 'no time here' });
  });
});

describe('W&B config and credentials', () => {
  it('unwraps {"value": …} into params and keeps _wandb apart', () => {
    const { params, internal } = unwrapConfig({
      lr: { value: 0.1, desc: null },
      model: { value: { layers: 3 } },
      _wandb: { value: { t: 1 } },
    });
    expect(params).toEqual({ lr: 0.1, model: { layers: 3 } });
    expect(internal).toEqual({ t: 1 });
  });

  it('reads the key from HTTP Basic api:<key> and from Bearer', () => {
    expect(apiKeyFrom(`Basic ${Buffer.from('api:tbk_abc_def').toString('base64')}`)).toBe('tbk_abc_def');
    expect(apiKeyFrom('Bearer tbk_x')).toBe('tbk_x');
    expect(apiKeyFrom('Basic !!!')).toBeNull();
    expect(apiKeyFrom(undefined)).toBeNull();
  });
});
