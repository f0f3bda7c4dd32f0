// Filing for a caller (by phone, in person, through a district office): the
// caller's phone finds or makes their account, so they get the SMS like anyone
// who files on the site. Open tickets of the same cause at the address are shown
// before filing; the new ticket can then be merged into one of them.

import { ApiError, newKey } from "./api.js";
import { element, formAlert, showError, submitting } from "./dom.js";
import { streetPicker } from "./street.js";
import { deadlineClass, fill, texts, when } from "./text.js";
import { fields, filledIn, say, staffApi, topicAndCause, unexpected } from "./staff.js";

export function fileView() {
  const form = document.getElementById("file-form");
  const similarBox = document.getElementById("file-similar");
  const filed = document.getElementById("filed");
  let street = null;
  let cause = null;
  let similar = [];
  // Kept until the API answers: a repeat after a lost answer files nothing twice.
  let key = null;

  async function findSimilar() {
    const house = form.elements.house.value.trim();
    similar = [];
    similarBox.hidden = true;
    if (!cause || !street || !house) return;
    const query = new URLSearchParams({ cause: cause.code, street: street.code, house });
    try {
      similar = (await staffApi("GET", `/tickets/similar?${query}`)).tickets;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return;
    }
    document.getElementById("file-similar-list").replaceChildren(...similar.map((ticket) => element("li", { class: "ticket" },
      element("p", {}, element("a", { href: `#/ticket/${encodeURIComponent(ticket.id)}` },
        fill(texts.number, { number: ticket.number })), " ",
      element("span", { class: `status status-${ticket.state}` }, ticket.status_label)),
      element("p", { class: "hint" }, fill(texts.filed, { date: when(ticket.filed_at) })))));
    similarBox.hidden = !similar.length;
  }

  function body() {
    const data = fields(form);
    return {
      caller: { phone: data.phone, name: data.name || "" },
      channel: data.channel,
      cause: data.cause,
      address: {
        street: street.code, house: data.house, entrance: data.entrance || "", flat: data.flat || "", note: data.note || "",
      },
      description: data.description,
    };
  }

  function showFiled(receipt) {
    const merges = document.getElementById("filed-merge");
    document.getElementById("filed-text").textContent = fill(say.filed, { number: receipt.number, due: when(receipt.due_at) });
    document.getElementById("filed-open").href = `#/ticket/${encodeURIComponent(receipt.id)}`;
    showError(document.getElementById("filed-error"), "");
    merges.replaceChildren(...similar.map((ticket) => element("button", {
      type: "button", class: "secondary", "data-into": ticket.number, "data-ticket": receipt.id,
    }, fill(say.merge_into, { number: ticket.number }))));
    form.hidden = true;
    filed.hidden = false;
    filed.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!filledIn(form)) return;
    if (!street) {
      showError(formAlert(form), texts.choose_street);
      form.elements.street.setAttribute("aria-invalid", "true");
      form.elements.street.focus();
      return;
    }
    key = key || newKey();
    const receipt = await submitting(form, async () => {
      try {
        return await staffApi("POST", "/tickets", { body: body(), headers: { "Idempotency-Key": key } });
      } catch (error) {
        // Only a definite refusal proves nothing was filed: then the next try is a new ticket.
        if (error instanceof ApiError && error.refused) key = null;
        throw error;
      }
    });
    if (receipt === undefined) return;
    key = null;
    showFiled(receipt);
  });

  document.getElementById("filed-merge").addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-into]");
    if (!button) return;
    const alert = document.getElementById("filed-error");
    try {
      const id = encodeURIComponent(button.dataset.ticket);
      const fresh = await staffApi("GET", `/tickets/${id}`);
      await staffApi("POST", `/tickets/${id}/merge`, { body: { version: fresh.version, into: button.dataset.into } });
    } catch (error) {
      unexpected(alert, error);
      return;
    }
    document.getElementById("filed-merge").replaceChildren();
    document.getElementById("filed-text").textContent = fill(say.merged, { number: button.dataset.into });
    filed.focus();
  });

  document.getElementById("file-another").addEventListener("click", () => {
    form.reset();
    street = null;
    cause = null;
    similar = [];
    similarBox.hidden = true;
    filed.hidden = true;
    document.getElementById("filed-text").textContent = "";
    form.hidden = false;
    form.elements.phone.focus();
  });

  streetPicker(form.elements.street, document.getElementById("file-street-options"), (picked) => {
    street = picked;
    findSimilar();
  });
  form.elements.house.addEventListener("change", findSimilar);
  const ready = topicAndCause(form.elements.topic, form.elements.cause, (picked) => {
    cause = picked;
    document.getElementById("file-cause-deadline").textContent = cause ? deadlineClass(cause) : "";
    findSimilar();
  });

  return {
    async show() {
      await ready;
    },
  };
}
