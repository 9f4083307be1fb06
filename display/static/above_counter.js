// The small screen above one counter: its name, and the number it is calling or serving.
// Same feed as every screen (feed.js): snapshot on (re)connect, then the events for this counter.
import { followCentre, showConnection } from "/static/feed.js";

const config = JSON.parse(document.getElementById("display-config").textContent);
const words = config.words;
const number = document.getElementById("counter-number");
const status = document.getElementById("counter-status");
let current = null;   // {id, number, status}
let paused = false;

function render() {
  document.body.classList.toggle("idle", !current);
  number.textContent = current ? current.number : "—";
  status.textContent = current ? words[current.status === "serving" ? "serving" : "called"]
    : words[paused ? "paused" : "idle"];
}

followCentre({
  auth: {},
  onSnapshot: (snapshot) => {
    const counter = snapshot.counters.find((c) => c.id === config.counter);
    paused = Boolean(counter && counter.paused);
    current = counter && counter.current
      ? { id: counter.current.id, number: counter.current.number, status: counter.current.status } : null;
    render();
  },
  onEvent: (event) => {
    if (event.counter !== config.counter) return;
    const holds = current && current.id === event.ticket_id;
    if (event.kind === "called" || event.kind === "recalled") {
      current = { id: event.ticket_id, number: event.details.number, status: "called" };
    } else if (event.kind === "started" && holds) {
      current.status = "serving";
    } else if (["finished", "no_show", "transferred", "expired"].includes(event.kind) && holds) {
      current = null;
    } else if (event.kind === "counter_paused" || event.kind === "counter_resumed") {
      paused = event.kind === "counter_paused";
    }
    render();
  },
  onConnection: showConnection,
});
