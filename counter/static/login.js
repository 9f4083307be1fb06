// The counter sign-in page: POST /api/session (hashed passwords, lockout and one clerk per counter are
// the server's), then on to the counter screen.
import { api } from "/static/api.js";
import { errorText } from "./text.js";

const words = JSON.parse(document.getElementById("counter-words").textContent);
const form = document.getElementById("login-form");
const error = document.getElementById("login-error");
const submit = document.getElementById("login-submit");

// A counter's PC signs in at the same counter every day: offer the last one chosen on this browser.
const remembered = window.localStorage.getItem("xh-counter");
if (!form.elements.counter.value && remembered
    && [...form.elements.counter.options].some((option) => option.value === remembered)) {
  form.elements.counter.value = remembered;
}

function showError(text) {
  error.textContent = text;
  error.hidden = !text;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = form.elements.name.value.trim();
  const password = form.elements.password.value;
  const counter = form.elements.counter.value;
  const missing = [[name, form.elements.name], [password, form.elements.password], [counter, form.elements.counter]]
    .find(([value]) => !value);
  if (missing) { missing[1].focus(); showError(`${missing[1].labels[0].textContent}?`); return; }
  showError("");
  submit.disabled = true;
  submit.textContent = words.signing_in;
  try {
    await api("POST", "/api/session", { name, password, counter });
    window.localStorage.setItem("xh-counter", counter);
    window.location.assign("/counter");
  } catch (failure) {
    showError(errorText(failure, words));
    form.elements.password.value = "";
    form.elements.password.focus();
    submit.disabled = false;
    submit.textContent = words.sign_in;
  }
});
