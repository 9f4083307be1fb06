// Calling the JSON API from a page: a device's bearer token or the session's CSRF token, JSON errors
// turned into {code, message} (message in Vietnamese from the server).

export class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

export async function api(method, path, body, { token, headers: extra = {} } = {}) {
  const headers = { "Accept": "application/json", ...extra };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers["Authorization"] = `Bearer ${token}`;
  const csrf = document.querySelector('meta[name="csrf-token"]');
  if (!token && csrf && method !== "GET") headers["X-CSRF-Token"] = csrf.content;
  let response;
  try {
    response = await fetch(path, { method, headers, credentials: "same-origin",
                                   body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(0, "network", "Mất kết nối tới máy chủ. Xin vui lòng thử lại.");
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (response.status === 401 && ["session_expired", "session_ended"].includes(data.error)) {
    // The session ended (sign-out elsewhere, new password or role, shift over): the page decides what to do.
    window.dispatchEvent(new CustomEvent("xh:session-ended", { detail: data }));
  }
  if (!response.ok) throw new ApiError(response.status, data.error || "http_error", data.message || response.statusText);
  return data;
}

// A paired device screen (kiosk, rating tablet): ?token=… is taken once into localStorage under
// `storageKey` and removed from the address bar, so it never shows on screen or in the history.
export function takeToken(storageKey) {
  const params = new URLSearchParams(location.search);
  if (params.has("token")) {
    const given = params.get("token").trim();
    if (given) localStorage.setItem(storageKey, given);
    params.delete("token");
    const rest = params.toString();
    history.replaceState(null, "", location.pathname + (rest ? `?${rest}` : ""));
  }
  return localStorage.getItem(storageKey);
}
