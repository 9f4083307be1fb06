// Wait-target banners on staff screens (the counter terminal, every admin console page): the page asks once
// per (re)connect with `alerts`; the server answers with the alerts meant for it (a counter: breaches of the
// thủ tục it serves; a manager or admin: all) and pushes `alerts` {at, alerts} again whenever that set
// changes (monitoring.py). The minutes tick here between pushes, on the server's clock.

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => String(values[key] ?? ""));

export function followAlerts(socket, { list, words, lang = "vi" }) {
  let alerts = [];
  let offset = 0;
  const minutesOf = (alert) => {
    const since = alert.since ? new Date(alert.since) : null;
    const seconds = since ? (Date.now() + offset - since) / 1000 : alert.seconds;
    return Math.max(0, Math.floor(seconds / 60));
  };
  const draw = () => {
    list.hidden = alerts.length === 0;
    list.replaceChildren(...alerts.map((alert) => {
      const item = document.createElement("li");
      item.className = "wait-alert";
      item.dataset.kind = alert.kind;
      item.dataset.service = alert.service;
      const service = (lang === "en" && alert.service_name_en) || alert.service_name;
      item.textContent = fill(alert.kind === "long_service" ? words.alert_long : words.alert_wait, {
        service, counter: alert.counter_name, number: alert.number, minutes: minutesOf(alert),
        limit: alert.limit_minutes,
      });
      return item;
    }));
  };
  socket.on("connect", () => socket.emit("alerts"));
  if (socket.connected) socket.emit("alerts");
  socket.on("alerts", (message) => {
    alerts = message.alerts;
    offset = new Date(message.at) - Date.now();
    draw();
  });
  setInterval(draw, 15000);
  return { current: () => alerts };
}
