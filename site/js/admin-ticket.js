// One ticket as staff see it: its facts, the reporter's contact (on asking for it,
// which the API records), photos, the history with who did each step, and a form for
// each command the API lists in "actions". Every command sends the version it was
// read at: if someone changed the ticket meanwhile, the API refuses (409) and the
// page offers to reload.

import { ApiError } from "./api.js";
import { element, submitting } from "./dom.js";
import { badges } from "./admin-queue.js";
import { photoPicker } from "./photos.js";
import { addressLine, fill, texts, when } from "./text.js";
import { cityTimeToIso, fields, fillExecutors, filledIn, say, staffApi, unexpected } from "./staff.js";

const STAFF_ROLES = ["operator", "executor", "inspector", "admin"];
const forms = [...document.querySelectorAll("#ticket form[data-action]")];
const stale = document.getElementById("t-stale");
const done = document.getElementById("t-done");
const showContact = document.getElementById("t-show-contact");
let donePhotos = [];

function put(name, text) {
  document.getElementById(`t-${name}`).textContent = text || "—";
}

function label(named) {
  return named ? named.label || named.name || named.code : "";
}

// Staff by role and name; a resident or the system by the name the API gives them.
function actor(entry) {
  const who = entry.actor;
  if (!STAFF_ROLES.includes(who.role)) return who.name || say.roles[who.role] || who.role;
  return fill(say.actor, { role: say.roles[who.role], name: who.name });
}

function thumbs(photos) {
  return photos.filter((photo) => photo && photo.url).map((photo, index) => element("li", {},
    element("a", { href: photo.url }, element("img", {
      src: photo.url, alt: fill(texts.photo_number, { number: index + 1 }), loading: "lazy",
    }))));
}

function historyItem(entry) {
  return element("li", { "data-command": entry.command },
    element("time", { datetime: entry.at }, when(entry.at)), " ",
    element("strong", {}, say.actions[entry.command] || entry.command), " · ",
    element("span", { class: "actor" }, actor(entry)),
    entry.note ? element("p", { class: "note" }, entry.note) : null,
    entry.photos.length ? element("ul", { class: "thumbs" }, ...thumbs(entry.photos)) : null);
}

// What a command sends besides the version, from its form's fields (and the
// photos uploaded with a report of the work done).
function body(form) {
  const data = fields(form);
  if (form.dataset.action === "report_done" && donePhotos.length) data.photos = donePhotos.map((photo) => photo.key);
  if (data.due_at) data.due_at = cityTimeToIso(data.due_at);
  if (data.amount) data.amount = Number(data.amount);
  return data;
}

export function ticketView() {
  let ticket = null;
  const picker = photoPicker(document.querySelector("#report_done-form [data-photos]"), [],
    (kept) => { donePhotos = kept; }, "/api/admin/uploads");

  function render(shown) {
    ticket = shown;
    document.getElementById("ticket-title").textContent = fill(texts.number, { number: ticket.number });
    document.getElementById("t-badges").replaceChildren(...badges(ticket));
    const address = ticket.address;
    put("problem", `${label(ticket.category)} · ${label(ticket.cause)}`);
    put("address", addressLine(address) + (address.note ? ` (${address.note})` : ""));
    put("district", label(ticket.district));
    put("organisation", label(ticket.organisation));
    put("filed", when(ticket.filed_at));
    put("due", when(ticket.due_at));
    const reporter = ticket.reporter;
    put("reporter", reporter.removed ? say.reporter_removed[reporter.removed]
      : reporter.contact ? say.contact_on_request : say.contact_not_yours);
    put("phone", "");
    put("email", "");
    showContact.hidden = !reporter.contact;
    put("description", ticket.description);
    put("public", ticket.description_public ? say.yes : say.no);
    // A link an Open311 partner's app sent (the API checked it is http or https):
    // opened in its own tab, and the partner's site learns nothing of the staff page.
    document.getElementById("t-media").replaceChildren(ticket.media_url
      ? element("a", { href: ticket.media_url, target: "_blank", rel: "noopener noreferrer" }, ticket.media_url)
      : "—");
    document.getElementById("t-photos").replaceChildren(...thumbs(ticket.photos));
    document.getElementById("t-history").replaceChildren(...ticket.history.map(historyItem));
    forms.forEach((form) => {
      form.hidden = !ticket.actions.includes(form.dataset.action);
      form.reset();
    });
    donePhotos = [];
    picker.clear();
    document.getElementById("publish-public").checked = Boolean(ticket.description_public);
    document.getElementById("t-no-actions").hidden = ticket.actions.length > 0;
    fillExecutors(document.getElementById("route-organisation"), ticket.organisation && ticket.organisation.code);
    stale.hidden = true;
  }

  async function load(id) {
    render(await staffApi("GET", `/tickets/${encodeURIComponent(id)}`));
  }

  forms.forEach((form) => form.addEventListener("submit", async (event) => {
    event.preventDefault();
    done.hidden = true;
    if (!filledIn(form)) return;
    const action = form.dataset.action;
    const changed = await submitting(form, async () => {
      try {
        return await staffApi("POST", `/tickets/${encodeURIComponent(ticket.id)}/${action}`,
          { body: { version: ticket.version, ...body(form) } });
      } catch (error) {
        if (error instanceof ApiError && error.code === "stale_version") {
          stale.hidden = false;
          document.getElementById("t-reload").focus();
          return undefined;
        }
        throw error;
      }
    });
    if (changed === undefined) return;
    render(changed);
    done.textContent = fill(say.done, { action: say.actions[action] || action });
    done.hidden = false;
    done.focus();
  }));

  showContact.addEventListener("click", async () => {
    let contact;
    try {
      contact = await staffApi("GET", `/tickets/${encodeURIComponent(ticket.id)}/contact`);
    } catch (error) {
      unexpected(document.getElementById("page-error"), error);
      return;
    }
    put("reporter", contact.name || say.no_name);
    put("phone", contact.phone);
    put("email", contact.email);
    showContact.hidden = true;
    document.getElementById("t-reporter").focus();
  });

  document.getElementById("t-reload").addEventListener("click", async () => {
    try {
      await load(ticket.id);
    } catch (error) {
      unexpected(document.getElementById("page-error"), error);
      return;
    }
    document.getElementById("ticket-title").focus();
  });

  return {
    async show(id) {
      done.hidden = true;
      await load(id);
    },
  };
}
