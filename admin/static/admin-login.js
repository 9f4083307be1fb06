// The console's sign-in: POST /api/session (password hashing, throttle and lockout are the server's),
// then on to the page asked for. A clerk account is signed out again: its place is the counter screen.
import { api } from "/static/api.js";

const words = JSON.parse(document.getElementById("admin-words").textContent);
const form = document.getElementById("login-form");
const error = document.getElementById("login-error");
const submit = document.getElementById("login-submit");

function showError(text) {
  error.textContent = text;
  error.hidden = !text;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = form.elements.name.value.trim();
  const password = form.elements.password.value;
  const missing = [[name, form.elements.name], [password, form.elements.password]].find(([value]) => !value);
  if (missing) { missing[1].focus(); showError(`${missing[1].labels[0].textContent}?`); return; }
  showError("");
  submit.disabled = true;
  submit.textContent = words.signing_in;
  try {
    const answer = await api("POST", "/api/session", { name, password });
    if (answer.user.role === "clerk") {
      await api("DELETE", "/api/session", undefined, { headers: { "X-CSRF-Token": answer.csrf_token } });
      throw new Error(words.login_clerk);
    }
    window.location.assign(form.dataset.next || "/admin");
  } catch (failure) {
    showError(failure.message);
    form.elements.password.value = "";
    form.elements.password.focus();
    submit.disabled = false;
    submit.textContent = words.sign_in;
  }
});
