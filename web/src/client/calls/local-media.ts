import type { KeyValueStore } from '../key-value-store.js';
import { Observable } from '../observable.js';

export type LocalMediaState = {
  audio: boolean;
  video: boolean;
  sharing: boolean;
  audioDeviceId: string | null;
  videoDeviceId: string | null;
  devices: { kind: 'audioinput' | 'videoinput'; deviceId: string; label: string }[];
  /** Why a device could not be used, for the user to read. */
  error: string | null;
};

/** Kept per device (local storage): the chosen devices, and whether the user muted or turned the camera off. */
type Preferences = { audioDeviceId?: string | null; videoDeviceId?: string | null; audio?: boolean; video?: boolean };

const PREFERENCES = 'derbel.devices';

/**
 * The user's own camera, microphone and screen: one `stream` for the preview, and the track each
 * kind currently sends. Changes (device switch, camera off, screen share) are reported to
 * `onTrack`, so the call can swap the track on every connection without renegotiating.
 */
export class LocalMedia {
  readonly stream = new MediaStream();
  readonly state = new Observable<LocalMediaState>({
    audio: true,
    video: true,
    sharing: false,
    audioDeviceId: null,
    videoDeviceId: null,
    devices: [],
    error: null,
  });
  onTrack: (kind: 'audio' | 'video', track: MediaStreamTrack | null) => void = () => {};

  private microphone: MediaStreamTrack | null = null;
  private camera: MediaStreamTrack | null = null;
  private screen: MediaStreamTrack | null = null;

  constructor(
    private readonly storage: KeyValueStore,
    private readonly media: MediaDevices = navigator.mediaDevices,
  ) {
    const saved = this.preferences();
    this.patch({
      audioDeviceId: saved.audioDeviceId ?? null,
      videoDeviceId: saved.videoDeviceId ?? null,
      audio: saved.audio ?? true,
      video: saved.video ?? true,
    });
  }

  /** The tracks to send right now. */
  get tracks(): MediaStreamTrack[] {
    const video = this.screen ?? this.camera;
    return [this.microphone, video].filter((track): track is MediaStreamTrack => track !== null);
  }

  /** Opens camera and microphone (whichever are available), as the preview before joining. */
  async start() {
    if (this.microphone || this.camera) return;
    const { audioDeviceId, videoDeviceId } = this.state.value;
    const problems: string[] = [];
    const microphone = await this.open('audio', audioDeviceId).catch((error) => (problems.push(describe('Microphone', error)), null));
    const camera = this.state.value.video
      ? await this.open('video', videoDeviceId).catch((error) => (problems.push(describe('Camera', error)), null))
      : null;
    this.setMicrophone(microphone);
    this.setCamera(camera);
    this.patch({
      error: problems.join(' ') || null,
      video: this.state.value.video && camera !== null,
      audio: microphone !== null && this.state.value.audio,
    });
    if (microphone) microphone.enabled = this.state.value.audio;
    await this.refreshDevices();
  }

  toggleAudio(on = !this.state.value.audio) {
    if (this.microphone) this.microphone.enabled = on;
    this.patch({ audio: on && this.microphone !== null });
    this.savePreferences({ audio: on });
  }

  /** Camera off releases the camera (its light goes off); on opens it again. */
  async toggleVideo(on = !this.state.value.video) {
    this.savePreferences({ video: on });
    if (!on) {
      this.setCamera(null);
      this.patch({ video: false });
      return;
    }
    try {
      this.setCamera(await this.open('video', this.state.value.videoDeviceId));
      this.patch({ video: true, error: null });
    } catch (error) {
      this.patch({ video: false, error: describe('Camera', error) });
    }
  }

  async selectDevice(kind: 'audioinput' | 'videoinput', deviceId: string) {
    const key = kind === 'audioinput' ? 'audioDeviceId' : 'videoDeviceId';
    this.patch({ [key]: deviceId });
    this.savePreferences({ [key]: deviceId });
    try {
      if (kind === 'audioinput') {
        const track = await this.open('audio', deviceId);
        track.enabled = this.state.value.audio;
        this.setMicrophone(track);
      } else if (this.state.value.video) {
        this.setCamera(await this.open('video', deviceId));
      }
      this.patch({ error: null });
    } catch (error) {
      this.patch({ error: describe(kind === 'audioinput' ? 'Microphone' : 'Camera', error) });
    }
  }

  /** Sends the screen instead of the camera until sharing stops (here or from the browser's bar). */
  async shareScreen() {
    if (this.screen) return;
    try {
      const display = await this.media.getDisplayMedia({ video: true, audio: false });
      const [track] = display.getVideoTracks();
      if (!track) return;
      this.screen = track;
      track.addEventListener('ended', () => this.stopSharing());
      this.showVideo(track);
      this.patch({ sharing: true, error: null });
    } catch (error) {
      if ((error as DOMException)?.name !== 'NotAllowedError') this.patch({ error: describe('Screen sharing', error) });
    }
  }

  stopSharing() {
    if (!this.screen) return;
    this.screen.stop();
    this.screen = null;
    this.showVideo(this.camera);
    this.patch({ sharing: false });
  }

  async refreshDevices() {
    try {
      const devices = await this.media.enumerateDevices();
      this.patch({
        devices: devices
          .filter((device) => device.kind === 'audioinput' || device.kind === 'videoinput')
          .map((device, index) => ({
            kind: device.kind as 'audioinput' | 'videoinput',
            deviceId: device.deviceId,
            label: device.label || `${device.kind === 'audioinput' ? 'Microphone' : 'Camera'} ${index + 1}`,
          })),
      });
    } catch {
      /* devices stay as they were */
    }
  }

  stop() {
    for (const track of [this.microphone, this.camera, this.screen]) track?.stop();
    for (const track of this.stream.getTracks()) this.stream.removeTrack(track);
    this.microphone = this.camera = this.screen = null;
    this.patch({ sharing: false });
  }

  private async open(kind: 'audio' | 'video', deviceId: string | null): Promise<MediaStreamTrack> {
    const constraints = deviceId ? { deviceId: { ideal: deviceId } } : true;
    const stream = await this.media.getUserMedia(kind === 'audio' ? { audio: constraints } : { video: constraints });
    const [track] = stream.getTracks();
    if (!track) throw new Error('no track');
    const settings = track.getSettings();
    if (settings.deviceId) this.patch(kind === 'audio' ? { audioDeviceId: settings.deviceId } : { videoDeviceId: settings.deviceId });
    return track;
  }

  private setMicrophone(track: MediaStreamTrack | null) {
    if (this.microphone && this.microphone !== track) {
      this.stream.removeTrack(this.microphone);
      this.microphone.stop();
    }
    this.microphone = track;
    if (track) this.stream.addTrack(track);
    this.onTrack('audio', track);
  }

  private setCamera(track: MediaStreamTrack | null) {
    if (this.camera && this.camera !== track) this.camera.stop();
    this.camera = track;
    if (!this.screen) this.showVideo(track);
  }

  private showVideo(track: MediaStreamTrack | null) {
    for (const old of this.stream.getVideoTracks()) if (old !== track) this.stream.removeTrack(old);
    if (track && !this.stream.getVideoTracks().includes(track)) this.stream.addTrack(track);
    this.onTrack('video', track);
  }

  private patch(change: Partial<LocalMediaState>) {
    this.state.set({ ...this.state.value, ...change });
  }

  private preferences(): Preferences {
    try {
      return JSON.parse(this.storage.getItem(PREFERENCES) ?? '{}') as Preferences;
    } catch {
      return {};
    }
  }

  private savePreferences(change: Preferences) {
    try {
      this.storage.setItem(PREFERENCES, JSON.stringify({ ...this.preferences(), ...change }));
    } catch {
      // Storage refused: the choice holds for this call only.
    }
  }
}

function describe(what: string, error: unknown): string {
  const name = (error as DOMException)?.name;
  if (name === 'NotAllowedError') return `${what}: permission denied.`;
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return `${what}: no device found.`;
  if (name === 'NotReadableError') return `${what}: the device is in use by another application.`;
  return `${what} unavailable.`;
}
