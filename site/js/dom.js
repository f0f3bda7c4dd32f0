// Building page parts from data with text nodes only: nothing the API returns is
// ever parsed as HTML.

import { ApiError } from "./api.js";
import { texts } from "./text.js";

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) node.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== ""));
  return node;
}

export function showError(node, message) {
  node.textContent = message || "";
  node.hidden = !message;
}

// The form's own alert; a part inside it (a photo picker) may have its own.
export function formAlert(form) {
  return form.querySelector(":scope > .error");
}

// Runs one form submission: the button is disabled meanwhile, and an API error
// is shown in the form's alert. Resolves to the action's result, or undefined.
export async function submitting(form, action) {
  const alert = formAlert(form);
  const buttons = form.querySelectorAll("button");
  showError(alert, "");
  buttons.forEach((button) => { button.disabled = true; });
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof ApiError)) {
      showError(alert, texts.unexpected_error);
      throw error;
    }
    showError(alert, error.message);
    return undefined;
  } finally {
    buttons.forEach((button) => { button.disabled = false; });
  }
}
