// The display's one announcement queue: for each call, the chime, then the sentence (× repeat).
// - one <audio> element for everything, so two sounds never overlap and none is cut off by the next
//   (Novo SGA #78); the next sound starts when the previous one ends, fails, or overruns its length;
// - bursts (issue 10: ten counters call within seconds at opening): a call queued while another is being
//   announced joins its run, without a chime of its own, its sentence right after the one before; and when
//   more than voice.burstThreshold calls wait to be said (the one about to be said included) it is said
//   once in the short form (/display/audio/short/<seq>.wav, "Số A012, quầy 5."), so the last of six calls
//   2 s apart is heard seconds, not a quarter of a minute, after its button;
// - voice off or quiet hours → the chime still plays (FQM #104); voice is the server's WAV
//   (/display/audio/call/<seq>.wav, espeak-ng or recorded clips), or the browser's own vi-VN voice
//   when config allows it and the browser has one;
// - bounded: at most MAX_PENDING calls wait (older ones are dropped, and logged), and the log kept for
//   tests and diagnosis (window.__xhAudioLog) holds the last LOG_SIZE entries, so a day of calls
//   cannot grow memory.

const MAX_PENDING = 20;
const LOG_SIZE = 200;
const DEFAULT_STEP_MS = 20000;   // a sound whose length is unknown gets this long before we move on
const OVERRUN_MS = 3000;         // slack after a sound's known duration

export class Announcer {
  constructor({ voice, timezone, now = () => Date.now(), onBlocked = () => {} }) {
    this.voice = voice;
    this.now = now;
    this.onBlocked = onBlocked;
    this.pending = [];
    this.current = null;     // {seq, steps, index}
    this.token = 0;          // identifies the step in progress; late callbacks of older steps are ignored
    this.timer = null;
    this.blocked = false;
    this.clock = new Intl.DateTimeFormat("en-GB", { timeZone: timezone, hour: "2-digit", minute: "2-digit",
                                                    hourCycle: "h23" });
    this.log = window.__xhAudioLog = window.__xhAudioLog || [];
    this.audio = new Audio();
    this.audio.preload = "auto";
    this.audio.addEventListener("ended", () => this.finish(this.token, "ended"));
    this.audio.addEventListener("error", () => this.finish(this.token, "error"));
    // When the sound is really heard (after loading): the burst timing in the README is measured on this.
    this.audio.addEventListener("playing", () => {
      if (this.current) this.record(this.current.seq, this.current.steps[this.current.index].url, "started");
    });
    this.audio.addEventListener("loadedmetadata", () => {
      if (Number.isFinite(this.audio.duration)) this.arm(this.token, this.audio.duration * 1000 + OVERRUN_MS);
    });
  }

  // Queue a call {seq, number, counter}; it plays after everything queued before it.
  announce(call) {
    const voiced = this.voice.enabled && !this.isQuiet();
    // Something is being announced: this call follows it back to back, and that run's chime was enough.
    // A call without a sentence (voice off, quiet hours) keeps its chime: it is all there is to hear.
    const joins = voiced && this.current !== null;
    const steps = joins ? [] : [{ kind: "chime", url: this.voice.chimeUrl }];
    if (voiced) {
      for (let i = 0; i < this.voice.repeat; i++) {
        steps.push({ kind: "sentence", url: `${this.voice.callUrl}${call.seq}.wav`, first: i === 0,
                     shortUrl: `${this.voice.shortUrl}${call.seq}.wav`, seq: call.seq });
      }
    }
    steps.forEach((step) => this.record(call.seq, step.url, "queued"));
    this.pending.push({ seq: call.seq, steps, index: 0 });
    while (this.pending.length > MAX_PENDING) this.record(this.pending.shift().seq, null, "dropped");
    this.next();
  }

  // Quiet hours ([voice] quiet_hours, centre-local "HH:MM-HH:MM"): chime only.
  isQuiet() {
    const time = this.clock.format(new Date(this.now()));
    return this.voice.quietHours.some(([start, end]) => start <= time && time < end);
  }

  // After a click on the "turn on sound" button (a browser that refuses autoplay).
  unblock() {
    this.blocked = false;
    if (this.current) this.play();
  }

  next() {
    if (this.current || this.blocked) return;
    this.current = this.pending.shift() || null;
    if (this.current) this.play();
  }

  // In a burst: more calls wait to be said than voice.burstThreshold (`waiting` counts the one about to be
  // said); the burst's threshold is a number ≥ 0 (0: always short).
  isBurst(waiting) {
    return waiting > (this.voice.burstThreshold ?? Infinity);
  }

  play() {
    const first = this.current.steps[this.current.index];  // the step about to play
    if (first.first && !first.short && this.isBurst(1 + this.pending.length)) {
      // The call's first sentence, in a burst: said once, short (its repeats go).
      this.current.steps.splice(this.current.index, Infinity, { ...first, url: first.shortUrl, short: true });
    }
    const step = this.current.steps[this.current.index];
    const token = ++this.token;
    this.record(this.current.seq, step.url, "playing");
    this.arm(token, DEFAULT_STEP_MS);
    this.warmNext();
    if (step.kind === "sentence" && !step.useFile && this.speechVoice()) { this.speak(token, step); return; }
    this.audio.src = step.url;
    this.audio.play().catch((error) => {
      if (token !== this.token) return;
      if (error && error.name === "NotAllowedError") {
        // Autoplay refused (not in kiosk mode with --autoplay-policy=no-user-gesture-required): wait for a click.
        clearTimeout(this.timer);
        this.blocked = true;
        this.record(this.current.seq, step.url, "blocked");
        this.onBlocked();
        return;
      }
      this.finish(token, "error");
    });
  }

  // Make the server synthesize (and cache) the next sentence while this sound plays, in the form it will most
  // likely have (a call arriving meanwhile can only make it short, and the short one is then made on demand).
  warmNext() {
    const step = this.current.steps[this.current.index];
    const following = this.current.steps[this.current.index + 1];
    let url = null;
    if (following && following.kind === "sentence") {
      // After the chime, the call's first sentence; after a sentence, its repeat (never short).
      url = step.kind === "chime" && this.isBurst(1 + this.pending.length) ? following.shortUrl : following.url;
    } else if (!following && this.pending.length && this.pending[0].steps[0].kind === "sentence") {
      // The next call of the run, whose sentence follows this one without a chime.
      const next = this.pending[0].steps[0];
      url = this.isBurst(this.pending.length) ? next.shortUrl : next.url;
    }
    if (url) fetch(url, { cache: "force-cache" }).then((r) => r.arrayBuffer()).catch(() => {});
  }

  arm(token, milliseconds) {
    if (token !== this.token) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.finish(token, "timeout"), milliseconds);
  }

  finish(token, how) {
    if (token !== this.token || !this.current || this.blocked) return;
    clearTimeout(this.timer);
    const step = this.current.steps[this.current.index];
    this.record(this.current.seq, step.url, how);
    this.token++;  // the step is over: its late events must not end the next one
    this.current.index += 1;
    if (this.current.index < this.current.steps.length) { this.play(); return; }
    this.current = null;
    this.next();
  }

  speechVoice() {
    if (!this.voice.browserVoice || !window.speechSynthesis) return null;
    return window.speechSynthesis.getVoices().find((v) => /^vi([-_]|$)/i.test(v.lang)) || null;
  }

  // The browser's own Vietnamese voice (many Windows and Android TV displays have one); the server's
  // WAV when it fails.
  speak(token, step) {
    const useFile = () => {
      if (token !== this.token) return;
      step.useFile = true;
      this.play();
    };
    fetch(step.url.replace(/\.wav$/, ".json"))
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(response.status))))
      .then((data) => {
        if (token !== this.token) return;
        const utterance = new SpeechSynthesisUtterance(data.text);
        utterance.voice = this.speechVoice();
        utterance.lang = "vi-VN";
        utterance.onend = () => this.finish(token, "ended");
        utterance.onerror = useFile;
        this.record(this.current.seq, step.url, "speaking");
        window.speechSynthesis.speak(utterance);
      })
      .catch(useFile);
  }

  record(seq, url, state) {
    this.log.push({ seq, url, state, at: Date.now() });
    if (this.log.length > LOG_SIZE) this.log.splice(0, this.log.length - LOG_SIZE);
  }
}
