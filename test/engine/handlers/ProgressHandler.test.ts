import { expect } from 'chai';
import type { EngineEvent, EngineState, EventName } from '../../../src/engine/events.js';
import { ProgressHandler } from '../../../src/engine/handlers/ProgressHandler.js';

/** Drives a handler through two items of 4 windows each, 1 s per window on a fake clock. */
function drive(handler: ProgressHandler, clock: { t: number }) {
  const state: EngineState = { iteration: 0, items: [], startTime: 0, epochLength: 2 };
  const fire = (name: EventName, extra: Partial<EngineEvent> = {}) => handler.onEvent({ name, state, ...extra });
  fire('started');
  fire('epoch_started');
  for (let item = 1; item <= 2; item++) {
    state.iteration = item;
    fire('iteration_started');
    for (let w = 1; w <= 4; w++) {
      clock.t += 1000;
      fire('inference_progress', { progress: { done: w, total: 4 } });
    }
    state.items.push({ index: item, inputs: {}, outputs: {}, timings: { preprocessing: 0, inference: 0, postprocessing: 0, total: 0 } });
    fire('iteration_completed');
  }
  fire('epoch_completed');
  fire('completed');
}

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, columns: 200, write: (t: string) => void chunks.push(t) };
}

describe('ProgressHandler', () => {
  it('prints plain lines off a terminal: one per finished item with an ETA, window lines at most every interval', () => {
    const clock = { t: 0 };
    const stream = sink(false);
    drive(new ProgressHandler({ stream, intervalMs: 2500, now: () => clock.t }), clock);
    const lines = stream.chunks.join('').trimEnd().split('\n');
    expect(lines).to.deep.equal([
      'item 1/2: windows 1/4 (25%)',
      'item 1/2: windows 4/4 (100%)',
      'item 1/2 done, ETA 4 s',
      'item 2/2: windows 3/4 (75%)',
      'item 2/2 done, 8 s elapsed',
    ]);
  });

  it('redraws one bar in place on a terminal, with items, windows and an ETA, and ends the line', () => {
    const clock = { t: 0 };
    const stream = sink(true);
    drive(new ProgressHandler({ stream, now: () => clock.t }), clock);
    const out = stream.chunks.join('');
    expect(out).not.to.match(/\n[^]*\n/); // a single final newline
    expect(out.endsWith('\n')).to.equal(true);
    const frames = out.split('\r\x1b[2K').filter(Boolean);
    expect(frames.some((f) => /\[#{6}\.{18}\] item 1\/2 {2}windows 2\/4 \(50%\) {2}ETA 6 s/.test(f))).to.equal(true, frames.join(' | '));
    expect(frames.at(-1)).to.match(/^\[#{24}\] item 2\/2 {2}8 s elapsed\n$/);
  });
});

describe('ProgressHandler.printAbove', () => {
  it('on a terminal, clears the bar, writes the log line and draws the bar again below it', () => {
    const clock = { t: 0 };
    const stream = sink(true);
    const handler = new ProgressHandler({ stream, now: () => clock.t });
    const state: EngineState = { iteration: 1, items: [], startTime: 0, epochLength: 1 };
    handler.onEvent({ name: 'started', state });
    handler.onEvent({ name: 'iteration_started', state });
    stream.chunks.length = 0;
    handler.printAbove('info: writing: /out/a.nii.gz\n');
    expect(stream.chunks.join('')).to.equal('\r\x1b[2Kinfo: writing: /out/a.nii.gz\n[........................] item 1/1');
  });

  it('off a terminal, or before any bar, writes the text as it is', () => {
    const stream = sink(false);
    const handler = new ProgressHandler({ stream });
    handler.printAbove('warning: cuda is not available\n');
    expect(stream.chunks).to.deep.equal(['warning: cuda is not available\n']);
  });
});
