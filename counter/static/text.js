// Small text helpers shared by the counter pages. Everything here returns plain strings for textContent.

// The server's messages are Vietnamese; the English screen translates the codes it knows.
export function errorText(failure, words) {
  if (words.lang !== "vi" && words[`error_${failure.code}`]) return words[`error_${failure.code}`];
  return failure.message || String(failure);
}

// Whole minutes between two moments (Date or ISO text), never negative.
export function minutesBetween(start, end) {
  const milliseconds = new Date(end) - new Date(start);
  return Number.isFinite(milliseconds) ? Math.max(0, Math.floor(milliseconds / 60000)) : null;
}

export function clockTime(iso, timeZone) {
  if (!iso) return "";
  return new Intl.DateTimeFormat("vi-VN", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone })
    .format(new Date(iso));
}

// A table cell or list element with text (never HTML).
export function element(tag, text = "", className = "") {
  const node = document.createElement(tag);
  if (text !== "") node.textContent = text;
  if (className) node.className = className;
  return node;
}
