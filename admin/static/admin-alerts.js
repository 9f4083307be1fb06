// Wait-target and long-service banners on every console page of a manager or admin (static/alerts.js):
// its own socket, asking for the managers' alerts. The monitor page shows the same alerts in its own list.
/* global io */
import { followAlerts } from "/static/alerts.js";

const WORDS = {
  vi: {
    alert_wait: "Cảnh báo: {service} có số {number} đã chờ {minutes} phút, quá mục tiêu {limit} phút.",
    alert_long: "Cảnh báo: {counter} đang phục vụ số {number} đã {minutes} phút (giới hạn {limit} phút).",
  },
  en: {
    alert_wait: "Alert: {service} has number {number} waiting {minutes} min, past the {limit}-min target.",
    alert_long: "Alert: {counter} has been serving number {number} for {minutes} min (limit {limit} min).",
  },
};

const list = document.getElementById("wait-alerts");
if (list && !document.getElementById("monitor-config")) {
  const lang = document.documentElement.lang === "en" ? "en" : "vi";
  const socket = io({ transports: ["websocket"], reconnectionDelay: 500, reconnectionDelayMax: 5000 });
  followAlerts(socket, { list, words: WORDS[lang], lang });
}
