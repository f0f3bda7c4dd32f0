// Outage notices for the public page: those going on (or closed), publishing a
// new one, closing one when the supply is back.

import { ApiError } from "./api.js";
import { element, formAlert, showError, submitting } from "./dom.js";
import { streetPicker } from "./street.js";
import { fill, texts, when } from "./text.js";
import { cityTimeToIso, fields, fillSelect, filledIn, option, say, staffApi, topics, unexpected } from "./staff.js";

export function outagesView() {
  const list = document.getElementById("outage-list");
  const listError = document.getElementById("outage-list-error");
  const form = document.getElementById("outage-form");
  const stateSelect = document.getElementById("outage-state");
  const addressList = document.getElementById("outage-addresses");
  let addresses = [];
  let street = null;

  function where(address) {
    return `${address.name || address.street}: ${address.houses.length ? address.houses.join(", ") : say.whole_street}`;
  }

  function item(outage) {
    const active = outage.state === "active";
    return element("li", { class: "ticket", "data-outage": outage.id },
      element("p", { class: "ticket-head" }, element("strong", {}, outage.kind.label), " · ", outage.area),
      element("p", {}, outage.reason),
      element("ul", { class: "plain" }, ...(outage.addresses || []).map((address) => element("li", {}, where(address)))),
      element("p", { class: "hint" }, active
        ? fill(say.outage_when, { start: when(outage.starts_at), end: when(outage.expected_end) })
        : fill(say.outage_closed, { date: when(outage.closed_at) })),
      active ? element("button", { type: "button", class: "secondary", "data-close": outage.id, "data-version": outage.version },
        say.close_outage) : null);
  }

  async function load() {
    const answer = await staffApi("GET", `/outages?state=${stateSelect.value}`);
    list.replaceChildren(...(answer.outages.length ? answer.outages.map(item)
      : [element("li", { class: "empty" }, texts.nothing_here)]));
  }

  function renderAddresses() {
    addressList.replaceChildren(...addresses.map((address, index) => element("li", {}, where(address), " ",
      element("button", { type: "button", class: "link", "data-index": index }, fill(say.remove, { street: address.name })))));
  }

  document.getElementById("outage-add-street").addEventListener("click", () => {
    const houses = document.getElementById("outage-houses");
    if (!street) {
      showError(formAlert(form), texts.choose_street);
      document.getElementById("outage-street").focus();
      return;
    }
    showError(formAlert(form), "");
    addresses.push({ ...street, houses: houses.value.split(",").map((house) => house.trim()).filter(Boolean) });
    document.getElementById("outage-street").value = "";
    houses.value = "";
    street = null;
    renderAddresses();
    document.getElementById("outage-street").focus();
  });
  addressList.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-index]");
    if (!button) return;
    addresses.splice(Number(button.dataset.index), 1);
    renderAddresses();
  });
  streetPicker(document.getElementById("outage-street"), document.getElementById("outage-street-options"),
    (picked) => { street = picked; });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!filledIn(form)) return;
    if (!addresses.length) {
      showError(formAlert(form), say.add_an_address);
      document.getElementById("outage-street").focus();
      return;
    }
    const data = fields(form);
    const published = await submitting(form, () => staffApi("POST", "/outages", { body: {
      kind: data.kind, area: data.area, reason: data.reason,
      starts_at: cityTimeToIso(data.starts_at), expected_end: cityTimeToIso(data.expected_end),
      addresses: addresses.map((address) => ({ street: address.code, houses: address.houses })),
    } }));
    if (published === undefined) return;
    form.reset();
    addresses = [];
    renderAddresses();
    stateSelect.value = "active";
    await load();
    list.querySelector(`[data-outage="${published.id}"] button`).focus();
  });

  list.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-close]");
    if (!button) return;
    showError(listError, "");
    try {
      await staffApi("PATCH", `/outages/${encodeURIComponent(button.dataset.close)}`,
        { body: { version: Number(button.dataset.version), closed: true } });
      await load();
    } catch (error) {
      unexpected(listError, error);
      if (error instanceof ApiError && error.status === 409) await load();
    }
  });
  stateSelect.addEventListener("change", () => load().catch((error) => unexpected(listError, error)));
  document.getElementById("outage-filter").addEventListener("submit", (event) => event.preventDefault());

  const ready = topics().then((loaded) => fillSelect(form.elements.kind, loaded.map((topic) => option(topic.code, topic.name))));

  return {
    async show() {
      await ready;
      await load();
    },
  };
}
