// The words every screen uses for the same figures, twin of wording.py (its docstring has the rules).
// The words themselves come from the server (wording.catalogue, in each page's config), so both sides
// say the same text; the rounding below is the same arithmetic as format_number's.

export function formatNumber(value, words, decimals = 1) {
  const scale = 10 ** decimals;
  const scaled = Math.floor(Math.abs(value) * scale + 0.5);
  const whole = Math.floor(scaled / scale);
  const fraction = scaled % scale;
  let digits = String(whole);
  const groups = [];
  while (digits.length > 3) {
    groups.unshift(digits.slice(-3));
    digits = digits.slice(0, -3);
  }
  let text = [digits, ...groups].join(words.thousands);
  if (fraction) text += words.decimal + String(fraction).padStart(decimals, "0").replace(/0+$/, "");
  return (value < 0 && scaled ? "-" : "") + text;
}

function fill(template, values) {
  return Object.entries(values).reduce((text, [key, value]) => text.split(`{${key}}`).join(value), template);
}

// {situation, ahead, ahead_count, wait, wait_short}: see wording.wait_words.
export function waitWords(words, ahead, minutes, low = null, high = null) {
  const count = ahead || 0;
  const result = count === 0
    ? { ahead: words.ahead_none, ahead_count: words.ahead_count_none }
    : { ahead: fill(words.ahead, { n: formatNumber(count, words) }), ahead_count: formatNumber(count, words) };
  if (minutes === null || minutes === undefined) {
    return { ...result, situation: "no_estimate", wait: words.wait_none, wait_short: words.wait_short_none };
  }
  if (minutes <= 0) return { ...result, situation: "now", wait: words.wait_now, wait_short: words.wait_now };
  if (low !== null && low !== undefined && high !== null && high !== undefined && high > low) {
    const values = { low: formatNumber(low, words), high: formatNumber(high, words) };
    return { ...result, situation: "minutes", wait: fill(words.wait_range, values),
             wait_short: fill(words.wait_short_range, values) };
  }
  const values = { minutes: formatNumber(minutes, words) };
  return { ...result, situation: "minutes", wait: fill(words.wait, values), wait_short: fill(words.wait_short, values) };
}
