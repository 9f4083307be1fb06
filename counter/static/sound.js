// A short two-tone chime (WebAudio, no file to load) when the queue goes from empty to not empty.
let context = null;

function audio() {
  if (!context) {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    context = new Context();
  }
  if (context.state === "suspended") context.resume().catch(() => {});
  return context;
}

// Browsers start audio only after a gesture: the clerk's first click or key unlocks it.
for (const kind of ["pointerdown", "keydown"]) window.addEventListener(kind, () => audio(), { once: true });

export function chime() {
  // Counted on the page, so a test (or a curious admin) can see that it rang even with no speaker.
  document.body.dataset.chimes = String(Number(document.body.dataset.chimes || 0) + 1);
  try {
    const ctx = audio();
    if (!ctx) return;
    const start = ctx.currentTime + 0.01;
    [[880, 0], [660, 0.22]].forEach(([frequency, offset]) => {
      const tone = ctx.createOscillator();
      const gain = ctx.createGain();
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.35, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.2);
      tone.connect(gain).connect(ctx.destination);
      tone.start(start + offset);
      tone.stop(start + offset + 0.22);
    });
  } catch (error) {
    // No audio device: the waiting list still shows the new ticket.
  }
}
