import { Observable } from '../observable.js';

/** One ring: two short double-tone bursts, then silence, repeated every `PERIOD_MS`. */
const BURSTS = [0, 0.5];
const BURST_SECONDS = 0.4;
const TONES = [440, 480];
const PERIOD_MS = 3_000;

/** A ringtone generated with Web Audio (no sound file), played from `start` until `stop`. */
export class Ringtone {
  readonly playing = new Observable(false);
  private context: AudioContext | null = null;
  private output: GainNode | null = null;
  private analyser: AnalyserNode | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  start() {
    if (this.playing.value || typeof AudioContext === 'undefined') return;
    const context = (this.context ??= new AudioContext());
    // Browsers start a context suspended before the page had a user gesture; ringing then stays silent.
    void context.resume().catch(() => undefined);
    this.output = context.createGain();
    this.output.gain.value = 0.25;
    this.analyser = context.createAnalyser();
    this.output.connect(this.analyser);
    this.output.connect(context.destination);
    this.playing.set(true);
    this.ring();
    this.timer = setInterval(() => this.ring(), PERIOD_MS);
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.output?.disconnect();
    this.output = null;
    this.analyser = null;
    this.playing.set(false);
  }

  /** How loud the ringtone is right now (root mean square, 0 when silent). */
  level(): number {
    if (!this.analyser) return 0;
    const samples = new Float32Array(this.analyser.fftSize);
    this.analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const sample of samples) sum += sample * sample;
    return Math.sqrt(sum / samples.length);
  }

  private ring() {
    const context = this.context;
    const output = this.output;
    if (!context || !output) return;
    const now = context.currentTime;
    for (const offset of BURSTS) {
      const start = now + offset;
      const envelope = context.createGain();
      envelope.gain.setValueAtTime(0, start);
      envelope.gain.linearRampToValueAtTime(0.5, start + 0.02);
      envelope.gain.setValueAtTime(0.5, start + BURST_SECONDS - 0.05);
      envelope.gain.linearRampToValueAtTime(0, start + BURST_SECONDS);
      envelope.connect(output);
      for (const frequency of TONES) {
        const oscillator = context.createOscillator();
        oscillator.frequency.value = frequency;
        oscillator.connect(envelope);
        oscillator.start(start);
        oscillator.stop(start + BURST_SECONDS);
      }
    }
  }
}
