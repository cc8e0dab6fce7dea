/**
 * Progress of a run, for people: on an interactive terminal one bar redrawn in place (items, the current
 * item's sliding windows, an ETA); elsewhere (logs, CI) plain lines, at most one per `intervalMs` while
 * windows run, plus one per finished item. The CLI leaves it out with --quiet.
 */
import type { EngineEvent, EngineState, Handler } from '../events.js';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressHandlerOptions {
  /** where to draw; default process.stderr */
  stream?: ProgressStream;
  /** draw a bar (true) or print plain lines (false); default: whether the stream is a TTY */
  interactive?: boolean;
  /** plain mode: minimum milliseconds between window-progress lines; default 5000 */
  intervalMs?: number;
  /** bar mode: minimum milliseconds between redraws; default 100 */
  redrawMs?: number;
  /** the clock, in milliseconds (tests pass a fake one) */
  now?: () => number;
}

export class ProgressHandler implements Handler {
  readonly name = 'ProgressHandler';
  private readonly stream: ProgressStream;
  private readonly interactive: boolean;
  private readonly intervalMs: number;
  private readonly redrawMs: number;
  private readonly now: () => number;
  private startedAt = 0;
  private lastDraw = -Infinity;
  private windows?: { done: number; total: number };
  private barShown = false;
  private barText = '';

  constructor(options: ProgressHandlerOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.interactive = options.interactive ?? Boolean(this.stream.isTTY);
    this.intervalMs = options.intervalMs ?? 5000;
    this.redrawMs = options.redrawMs ?? 100;
    this.now = options.now ?? (() => performance.now());
  }

  onEvent(event: EngineEvent): void {
    const { state } = event;
    switch (event.name) {
      case 'started':
        this.startedAt = this.now();
        this.lastDraw = -Infinity;
        return;
      case 'iteration_started':
        this.windows = undefined;
        if (this.interactive) this.draw(state, true);
        return;
      case 'inference_progress':
        this.windows = event.progress;
        if (this.interactive) this.draw(state, false);
        else if (this.now() - this.lastDraw >= this.intervalMs) this.line(`${this.itemLabel(state)}: ${this.windowText()}`);
        return;
      case 'iteration_completed': {
        this.windows = undefined;
        if (this.interactive) this.draw(state, true);
        else this.line(`${this.itemLabel(state)} done${this.etaText(state)}`);
        return;
      }
      case 'completed':
      case 'exception_raised':
        if (this.interactive && this.barShown) {
          this.stream.write('\n');
          this.barShown = false;
        }
        return;
      default:
        return;
    }
  }

  /** Items done (whole) plus the current item's window fraction. */
  private progressUnits(state: EngineState): number {
    const done = state.items.length;
    const w = this.windows;
    return done + (w && w.total > 0 && state.iteration > done ? w.done / w.total : 0);
  }

  private etaText(state: EngineState): string {
    const total = state.epochLength;
    const units = this.progressUnits(state);
    const elapsed = this.now() - this.startedAt;
    if (total === undefined || units <= 0) return '';
    const remaining = Math.max(0, total - units);
    if (remaining === 0) return `, ${formatSeconds(elapsed)} elapsed`;
    return `, ETA ${formatSeconds((elapsed / units) * remaining)}`;
  }

  private itemLabel(state: EngineState): string {
    return `item ${state.iteration}${state.epochLength !== undefined ? `/${state.epochLength}` : ''}`;
  }

  private windowText(): string {
    const w = this.windows;
    if (!w) return '';
    return `windows ${w.done}/${w.total} (${Math.floor((100 * w.done) / Math.max(1, w.total))}%)`;
  }

  /**
   * Writes `text` (whole lines, e.g. a log message) without mixing it into the bar: on a terminal the bar is
   * cleared, the text written, and the bar drawn again below it.
   */
  printAbove(text: string): void {
    if (this.interactive && this.barShown) this.stream.write(`\r\x1b[2K${text}${this.barText}`);
    else this.stream.write(text);
  }

  private line(text: string): void {
    this.lastDraw = this.now();
    this.stream.write(`${text}\n`);
  }

  private draw(state: EngineState, force: boolean): void {
    const t = this.now();
    if (!force && t - this.lastDraw < this.redrawMs) return;
    this.lastDraw = t;
    const total = state.epochLength;
    const fraction = total ? Math.min(1, this.progressUnits(state) / total) : 0;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = total ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
    const windows = this.windows ? `  ${this.windowText()}` : '';
    let text = `${bar}${this.itemLabel(state)}${windows}${this.etaText(state).replace(/^, /, '  ')}`;
    const columns = this.stream.columns ?? 100;
    if (text.length > columns - 1) text = text.slice(0, columns - 1);
    this.stream.write(`\r\x1b[2K${text}`);
    this.barText = text;
    this.barShown = true;
  }
}

function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
