// Finding a procedure by typing: an on-screen keyboard (a kiosk has no keyboard) and a match that
// ignores Vietnamese accents, so "khai sinh" finds "Đăng ký khai sinh" and "dat" finds "Đất đai".

const ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];

// "Đăng ký" → "dang ky": drop combining marks, map đ, lower case.
export function plain(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
}

// Services whose Vietnamese or English name contains every word typed, in config order.
export function matchServices(services, query) {
  const words = plain(query).split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  return services.filter((service) => {
    const names = plain(`${service.name} ${service.name_en}`);
    return words.every((word) => names.includes(word));
  });
}

// Draw the keyboard into `container`; onKey receives a key of `rows`, " " (when `space`) or "delete".
// The dossier lookup uses it too, with digits and no space bar (dossier.js).
export function buildKeyboard(container, onKey, { rows = ROWS, space = true } = {}) {
  container.replaceChildren();
  const addKey = (row, label, value, className = "key") => {
    const key = document.createElement("button");
    key.type = "button";
    key.className = className;
    key.textContent = label;
    key.dataset.key = value;
    key.addEventListener("click", () => onKey(value));
    row.append(key);
    return key;
  };
  for (const letters of rows) {
    const row = document.createElement("div");
    row.className = "key-row";
    for (const letter of letters) addKey(row, letter.toUpperCase(), letter);
    container.append(row);
  }
  const last = document.createElement("div");
  last.className = "key-row";
  if (space) addKey(last, "", " ", "key wide").dataset.word = "keyboard_space";
  const remove = addKey(last, "", "delete", "key wide");
  remove.dataset.word = "keyboard_delete";
  container.append(last);
}
