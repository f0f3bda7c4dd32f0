// The street field: an ARIA combobox that asks /api/streets as the resident types.
// Only a street picked from the list counts (the API wants its code).

import { api, withLang } from "./api.js";
import { element } from "./dom.js";
import { texts } from "./text.js";

const WAIT_MS = 150;

export function streetPicker(input, list, onChange) {
  let options = [];
  let active = -1;
  let asked = 0;
  let timer = 0;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function render(streets) {
    options = streets;
    active = -1;
    list.replaceChildren(...(streets.length
      ? streets.map((street, index) => element("li", {
        id: `${list.id}-${index}`, role: "option", "aria-selected": "false", "data-code": street.code,
      }, street.name, element("small", {}, street.district.name)))
      : [element("li", { class: "empty", "aria-disabled": "true" }, texts.no_streets)]));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function highlight(index) {
    const items = list.querySelectorAll("[role=option]");
    if (!items.length) return;
    active = (index + items.length) % items.length;
    items.forEach((item, i) => item.setAttribute("aria-selected", String(i === active)));
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  function pick(index) {
    const street = options[index];
    input.value = street.name;
    close();
    onChange({ code: street.code, name: street.name });
  }

  async function search(text) {
    const mine = ++asked;
    let streets;
    try {
      streets = await api("GET", withLang(`/api/streets?q=${encodeURIComponent(text)}`));
    } catch {
      streets = [];
    }
    if (mine === asked && input.value.trim() === text) render(streets);
  }

  input.addEventListener("input", () => {
    onChange(null);
    clearTimeout(timer);
    const text = input.value.trim();
    if (!text) {
      close();
      return;
    }
    timer = setTimeout(() => search(text), WAIT_MS);
  });

  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      pick(active);
    } else if (event.key === "Escape") {
      close();
    }
  });

  // mousedown, not click: a click would first blur the input and close the list.
  list.addEventListener("mousedown", (event) => {
    const item = event.target.closest("[role=option]");
    if (!item) return;
    event.preventDefault();
    pick(options.findIndex((street) => street.code === item.dataset.code));
  });

  input.addEventListener("blur", close);
}
