// The JSON API on the same origin. Every failure becomes an ApiError whose message
// can be shown as it is: the API answers in the page's language.

import { texts } from "./text.js";

const lang = document.documentElement.lang;

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  // Only a definite refusal proves nothing was written; after a lost answer or a
  // server error the request may have gone through.
  get refused() {
    return this.status >= 400 && this.status < 500;
  }
}

// The Idempotency-Key of a write a flaky connection may make us repeat.
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function withLang(path) {
  return `${path}${path.includes("?") ? "&" : "?"}lang=${lang}`;
}

export async function api(method, path, { body, headers = {} } = {}) {
  const init = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json", "Accept-Language": lang, ...headers },
  };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, "network", texts.network_error);
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = data && data.error;
    throw new ApiError(response.status, error ? error.code : `http_${response.status}`,
      error && error.message ? error.message : texts.unexpected_error);
  }
  return data;
}
