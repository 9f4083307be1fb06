// Keyboard shortcuts, and USB barcode scanners in keyboard mode ("keyboard wedge").
//
// A wedge scanner types the ticket's QR text (its status URL) in a burst, a few milliseconds per key,
// then Enter. A clerk presses one key at a time. So: keys arriving less than BURST_GAP apart form a
// burst; a burst of at least SCAN_MINIMUM characters ended by Enter is a scan; a lone key (nothing follows within BURST_GAP) is a shortcut. The shortcut waits BURST_GAP before
// acting, because the first character of a scan ("h" of "http") is also the "Hoàn thành" key.
const BURST_GAP = 100;   // ms; wedge scanners type a key every 2–20 ms, people rarely twice in 100 ms
const SCAN_MINIMUM = 8;  // characters; ticket codes are 16+ (a bare token) or ~60 (a URL)

// onDropped(keys): a shortcut was dropped because another key followed within BURST_GAP and the burst
// was no scan (two keys pressed together by a person): the clerk must learn that nothing happened.
export function listenForKeys({ shortcuts, onScan, onDropped = () => {} }) {
  let burst = "";
  let lastKeyAt = -Infinity;
  let pending = null;
  let dropped = false;   // this burst swallowed a shortcut
  let burstTimer = null;

  const endBurst = () => {
    burstTimer = null;
    if (dropped && burst.length < SCAN_MINIMUM) onDropped(burst);
    dropped = false;
  };

  const runPending = () => {
    if (pending) { clearTimeout(pending.timer); const action = pending.action; pending = null; action(); }
  };
  const dropPending = () => {
    if (pending) { clearTimeout(pending.timer); pending = null; dropped = true; }
  };

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    // Typing in a form field (a transfer note, a reason) or a dialog is not for us.
    if (document.querySelector("dialog[open]")) return;
    if (event.target.closest && event.target.closest("input, textarea, select, [contenteditable]")) return;
    const now = performance.now();
    const inBurst = now - lastKeyAt < BURST_GAP;
    lastKeyAt = now;
    if (!inBurst) { runPending(); burst = ""; dropped = false; }
    clearTimeout(burstTimer);
    if (event.key === "Enter") {
      if (burst.length >= SCAN_MINIMUM) {
        event.preventDefault();  // or the focused button would be pressed too
        dropPending();
        dropped = false;         // a scan, not a mistake
        onScan(burst);
      }
      burst = "";
      return;
    }
    if (event.key.length !== 1) return;
    burst += event.key;
    burstTimer = setTimeout(endBurst, BURST_GAP);
    if (burst.length > 1) { dropPending(); return; }
    const action = shortcuts[event.key.toLowerCase()];
    if (!action) return;
    event.preventDefault();
    pending = { action, timer: setTimeout(() => { pending = null; action(); }, BURST_GAP) };
  });
}
