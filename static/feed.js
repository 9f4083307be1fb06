// Following the centre live: the same protocol as realtime.py and bench/feed.py.
// - connect with `auth`; the server sends `snapshot` {seq, ...}, then `event` {seq, ...} per change;
// - events that arrive before the snapshot are buffered; seq <= snapshot.seq are dropped;
// - a gap (seq > last + 1) asks for a new snapshot with `resync`;
// - socket.io reconnects by itself with backoff; every (re)connect brings a fresh snapshot, so nothing
//   that happened while the screen was offline is lost from it.
/* global io */

// `onRefused({code, message})`: the server refused this screen's credentials (a session that ended, a revoked
// token) or closed its socket for that reason; the page should send its user to sign in again.
export function followCentre({ auth = {}, onSnapshot, onEvent, onConnection = () => {}, onRefused = () => {} }) {
  const socket = io({
    auth, transports: ["websocket"], reconnectionDelay: 500, reconnectionDelayMax: 5000,
    randomizationFactor: 0.3,
  });
  let seq = null;
  let pending = [];
  const apply = (event) => {
    if (seq === null) { pending.push(event); return; }
    if (event.seq <= seq) return;
    if (event.seq > seq + 1) { seq = null; pending = [event]; socket.emit("resync"); return; }
    seq = event.seq;
    onEvent(event);
  };
  socket.on("connect", () => onConnection(true));
  socket.on("disconnect", (reason) => {
    seq = null; pending = []; onConnection(false);
    if (reason === "io server disconnect") onRefused({ code: "disconnected" });  // it will not reconnect
  });
  socket.on("connect_error", (error) => {
    onConnection(false);
    if (error && error.data && error.data.code) onRefused(error.data);
  });
  socket.on("snapshot", (snapshot) => {
    seq = snapshot.seq;
    onSnapshot(snapshot);
    const buffered = pending.sort((a, b) => a.seq - b.seq);
    pending = [];
    buffered.forEach(apply);
  });
  socket.on("event", apply);
  return socket;
}

export function followTicket({ token, onTicket, onConnection = () => {} }) {
  const socket = io({ auth: { ticket: token }, transports: ["websocket"], reconnectionDelay: 500,
                      reconnectionDelayMax: 5000 });
  socket.on("connect", () => onConnection(true));
  socket.on("disconnect", () => onConnection(false));
  socket.on("connect_error", () => onConnection(false));
  socket.on("ticket", onTicket);
  return socket;
}

// Show or hide the shared "mất kết nối" mark (templates/base.html).
export function showConnection(connected) {
  const mark = document.getElementById("connection");
  if (mark) mark.hidden = connected;
}
