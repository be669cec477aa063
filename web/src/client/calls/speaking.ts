import { Observable } from '../observable.js';

const THRESHOLD = 0.015;
const HOLD_MS = 400;
const EVERY_MS = 120;

/** Who is speaking, from the audio level of each watched stream (for the tiles' speaking ring). */
export class SpeakingDetector {
  /** id → speaking. */
  readonly speaking = new Observable<Record<string, boolean>>({});
  private context: AudioContext | null = null;
  private watched = new Map<
    string,
    { analyser: AnalyserNode; source: MediaStreamAudioSourceNode; lastLoud: number; track: MediaStreamTrack }
  >();
  private timer: ReturnType<typeof setInterval> | null = null;
  private buffer = new Float32Array(512);

  /** Starts (or restarts, when the audio track changed) watching the audio of `stream`. */
  watch(id: string, stream: MediaStream) {
    const track = stream.getAudioTracks()[0];
    const current = this.watched.get(id);
    if (current?.track === track) return;
    this.unwatch(id);
    if (!track || typeof AudioContext === 'undefined') return;
    this.context ??= new AudioContext();
    if (this.context.state === 'suspended') void this.context.resume().catch(() => undefined);
    const source = this.context.createMediaStreamSource(new MediaStream([track]));
    const analyser = this.context.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    this.watched.set(id, { analyser, source, lastLoud: 0, track });
    this.timer ??= setInterval(() => this.sample(), EVERY_MS);
  }

  unwatch(id: string) {
    const entry = this.watched.get(id);
    if (!entry) return;
    entry.source.disconnect();
    this.watched.delete(id);
    if (this.speaking.value[id]) this.speaking.set({ ...this.speaking.value, [id]: false });
  }

  stop() {
    for (const id of [...this.watched.keys()]) this.unwatch(id);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    void this.context?.close().catch(() => undefined);
    this.context = null;
    this.speaking.set({});
  }

  private sample() {
    const now = Date.now();
    const next: Record<string, boolean> = {};
    let changed = false;
    for (const [id, entry] of this.watched) {
      entry.analyser.getFloatTimeDomainData(this.buffer);
      let sum = 0;
      for (const value of this.buffer) sum += value * value;
      const level = Math.sqrt(sum / this.buffer.length);
      if (level > THRESHOLD && entry.track.enabled) entry.lastLoud = now;
      next[id] = now - entry.lastLoud < HOLD_MS;
      if (next[id] !== Boolean(this.speaking.value[id])) changed = true;
    }
    if (changed) this.speaking.set(next);
  }
}
