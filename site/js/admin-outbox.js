// The outbox: how many messages wait to be sent later, the alerts of the daily SMS
// limits, and the messages given up after their tries, which an admin sends again.
// Recipients come masked from the API; the texts of the messages never come at all.

import { ApiError } from "./api.js";
import { element, showError } from "./dom.js";
import { fill, when } from "./text.js";
import { say, staffApi, unexpected } from "./staff.js";

export function outboxView(me) {
  const alertList = document.getElementById("outbox-alerts");
  const deadList = document.getElementById("outbox-dead");
  const listError = document.getElementById("outbox-error");
  const done = document.getElementById("outbox-done");
  const mayRetry = me.may.includes("retry_outbox");

  function alertItem(alert) {
    return element("li", { class: "ticket" },
      element("p", { class: "ticket-head" }, element("strong", {}, alert.title)),
      element("p", { class: "hint" }, fill(say.alert_raised,
        { date: when(alert.raised_at), state: say.alert_states[alert.status] || alert.status })));
  }

  function deadItem(message, index) {
    // Each "Send again" button is described by its message's heading line.
    const head = `outbox-message-${index}`;
    return element("li", { class: "ticket", "data-message": message.id },
      element("p", { class: "ticket-head", id: head },
        element("strong", {}, say.message_kinds[message.kind] || message.kind), " · ", when(message.created_at)),
      element("p", {}, fill(say.message_to,
        { channel: say.outbox_channels[message.channel] || message.channel, to: message.to })),
      message.ticket_id
        ? element("p", {}, element("a", { href: `#/ticket/${encodeURIComponent(message.ticket_id)}` },
          message.ticket_number ? fill(say.open_ticket_number, { number: message.ticket_number }) : say.open_ticket))
        : null,
      element("p", { class: "hint" }, fill(say.tries, { tries: message.tries })),
      message.last_error ? element("p", { class: "hint" }, fill(say.last_error, { error: message.last_error })) : null,
      mayRetry
        ? element("button", { type: "button", class: "secondary", "data-retry": message.id, "aria-describedby": head },
          say.send_again)
        : null);
  }

  function filled(list, items, empty) {
    list.replaceChildren(...(items.length ? items : [element("li", { class: "empty" }, empty)]));
  }

  async function load() {
    const answer = await staffApi("GET", "/outbox");
    document.getElementById("outbox-held").textContent = fill(say.outbox_held, { count: answer.held });
    filled(alertList, answer.alerts.map(alertItem), say.no_alerts);
    filled(deadList, answer.dead.map(deadItem), say.no_dead);
  }

  deadList.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-retry]");
    if (!button) return;
    showError(listError, "");
    done.hidden = true;
    button.disabled = true;
    try {
      const message = await staffApi("POST", `/outbox/${encodeURIComponent(button.dataset.retry)}/retry`, { body: {} });
      await load();
      // The button is gone with its message: the focus goes to what became of it.
      done.textContent = message.status === "sent" ? say.sent_again : say.queued_again;
      done.hidden = false;
      done.focus();
    } catch (error) {
      button.disabled = false;
      unexpected(listError, error);
      // Someone else sent it again meanwhile: the list shows what is left.
      if (error instanceof ApiError && [404, 409].includes(error.status)) await load();
    }
  });

  return {
    async show() {
      done.hidden = true;
      await load();
    },
  };
}
