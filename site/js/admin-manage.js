// The administrator's section: staff accounts, organisations, the deadline class
// and executor of each cause, the address registry, who was shown a reporter's
// contact, and Open311 keys. Plain lists and small forms; a password or key the API
// makes up is shown once.

import { ApiError } from "./api.js";
import { element, formAlert, showError, submitting } from "./dom.js";
import { fill, texts, when } from "./text.js";
import { fields, fillExecutors, filledIn, option, organisations, say, staffApi, unexpected } from "./staff.js";

const lang = document.documentElement.lang;

function named(value) {
  return value && typeof value === "object" ? value[lang] || Object.values(value)[0] : value || "";
}

function shown(node, text) {
  node.textContent = text;
  node.hidden = false;
  node.focus();
}

export function adminView() {
  const error = document.getElementById("admin-error");
  const staffForm = document.getElementById("staff-form");
  const keyForm = document.getElementById("key-form");
  const registryForm = document.getElementById("registry-form");
  let accounts = [];
  let executors = [];

  function accountState(account) {
    const parts = [account.active ? say.active : say.inactive];
    if (account.locked_until) parts.push(fill(say.locked, { date: when(account.locked_until) }));
    if (account.totp) parts.push(say.totp_on);
    return parts.join(", ");
  }

  function accountRow(account) {
    const own = executors.find((org) => org.code === account.organisation);
    const button = (change, text) => element("button", { type: "button", class: "secondary small", "data-id": account.id, "data-change": change }, text);
    return element("tr", { "data-username": account.username },
      element("td", {}, account.username), element("td", {}, account.name),
      element("td", {}, say.roles[account.role] || account.role, own ? fill(say.role_in, { organisation: own.label }) : ""),
      element("td", {}, accountState(account)),
      element("td", { class: "buttons" }, button("reset_password", say.reset_password),
        account.locked_until ? button("unlock", say.unlock) : null,
        account.active ? button("deactivate", say.deactivate) : button("activate", say.activate)));
  }

  async function loadStaff() {
    accounts = (await staffApi("GET", "/staff")).staff;
    document.getElementById("staff-list").replaceChildren(...accounts.map(accountRow));
  }

  async function loadOrganisations() {
    const orgs = await organisations();
    executors = orgs.filter((org) => org.kind === "executor");
    document.getElementById("organisation-list").replaceChildren(...orgs.map((org) => element("tr", {},
      element("td", {}, org.label), element("td", {}, say.kinds[org.kind] || org.kind),
      element("td", {}, org.phone || "—"), element("td", {}, org.email || "—"))));
  }

  async function loadCatalogue() {
    const catalogue = await staffApi("GET", "/catalogue");
    const hours = catalogue.sla_classes;
    document.getElementById("cause-list").replaceChildren(...catalogue.topics.flatMap((topic) => topic.causes.map((cause) => {
      const id = `cause-${cause.code.replace(/\W/g, "-")}`;
      return element("tr", { "data-cause": cause.code },
        element("th", { scope: "row", id }, `${named(topic.name)} · ${named(cause.name)}`),
        element("td", {}, element("select", { name: "sla_class", "aria-labelledby": id },
          ...Object.entries(hours).map(([code, count]) => option(code,
            fill(say.sla_hours, { class: say.sla[code] || code, hours: count }), code === cause.sla_class)))),
        element("td", {}, element("select", { name: "organisation", "aria-labelledby": id },
          ...executors.map((org) => option(org.code, org.label, org.code === cause.organisation)))),
        element("td", {}, element("button", { type: "button", class: "secondary small", "data-save": cause.code }, say.save)));
    })));
  }

  async function loadRegistry() {
    const counts = await staffApi("GET", "/registry");
    document.getElementById("registry-counts").textContent = fill(say.registry_counts, counts);
  }

  async function loadKeys() {
    const keys = (await staffApi("GET", "/open311-keys")).keys;
    document.getElementById("key-list").replaceChildren(...(keys.length ? keys.map((key) => element("li", { class: "ticket" },
      element("p", {}, element("strong", {}, key.name)),
      element("p", { class: "hint" }, key.revoked_at ? fill(say.key_revoked, { date: when(key.revoked_at) })
        : fill(say.key_created, { date: when(key.created_at) })),
      key.revoked_at ? null : element("button", { type: "button", class: "secondary small", "data-revoke": key.id }, say.revoke)))
      : [element("li", { class: "empty" }, texts.nothing_here)]));
  }

  // Who was shown a reporter's contact: a page at a time, or every showing of one ticket's.
  const viewsForm = document.getElementById("views-form");
  const viewsMore = document.getElementById("views-more");
  let viewsNext = null;

  function viewRow(view) {
    return element("tr", {},
      element("td", {}, element("time", { datetime: view.at }, when(view.at))),
      element("td", {}, fill(say.view_staff, { name: view.staff.name || view.staff.username,
        role: say.roles[view.staff.role] || view.staff.role, username: view.staff.username })),
      element("td", {}, element("a", { href: `#/ticket/${encodeURIComponent(view.ticket.id)}` },
        fill(texts.number, { number: view.ticket.number }))));
  }

  async function loadViews(more = false) {
    const query = new URLSearchParams();
    const number = viewsForm.elements.ticket.value.trim();
    if (number) query.set("ticket", number);
    if (more && viewsNext) query.set("after", viewsNext);
    const found = await staffApi("GET", `/contact-views?${query}`);
    const list = document.getElementById("views-list");
    const rows = found.views.map(viewRow);
    if (more) list.append(...rows);
    else list.replaceChildren(...(rows.length ? rows : [element("tr", {}, element("td", { colspan: "3" }, say.no_views))]));
    viewsNext = found.next;
    viewsMore.hidden = !viewsNext;
  }

  viewsForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const alert = document.getElementById("views-error");
    showError(alert, "");
    viewsForm.elements.ticket.removeAttribute("aria-invalid");
    try {
      await loadViews();
    } catch (failure) {
      viewsForm.elements.ticket.setAttribute("aria-invalid", "true");
      unexpected(alert, failure);
    }
  });
  viewsMore.addEventListener("click", async () => {
    try {
      await loadViews(true);
    } catch (failure) {
      unexpected(document.getElementById("views-error"), failure);
    }
  });

  document.getElementById("staff-list").addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-change]");
    if (!button) return;
    const account = accounts.find((one) => one.id === button.dataset.id);
    const change = {
      reset_password: { reset_password: true }, unlock: { unlock: true },
      deactivate: { active: false }, activate: { active: true },
    }[button.dataset.change];
    showError(error, "");
    try {
      const changed = await staffApi("PATCH", `/staff/${encodeURIComponent(account.id)}`, { body: { version: account.version, ...change } });
      await loadStaff();
      if (changed.password) {
        shown(document.getElementById("staff-password"), fill(say.password_given, changed));
      }
    } catch (failure) {
      unexpected(error, failure);
    }
  });

  staffForm.elements.role.addEventListener("change", () => {
    document.getElementById("new-organisation-field").hidden = staffForm.elements.role.value !== "executor";
  });
  staffForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!filledIn(staffForm)) return;
    const data = fields(staffForm);
    if (data.role !== "executor") delete data.organisation;
    const created = await submitting(staffForm, () => staffApi("POST", "/staff", { body: data }));
    if (created === undefined) return;
    staffForm.reset();
    document.getElementById("new-organisation-field").hidden = true;
    await loadStaff();
    shown(document.getElementById("staff-password"), fill(say.password_given, created));
  });

  document.getElementById("cause-list").addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-save]");
    if (!button) return;
    const row = button.closest("tr");
    const alert = document.getElementById("catalogue-error");
    showError(alert, "");
    try {
      await staffApi("PATCH", `/catalogue/causes/${encodeURIComponent(button.dataset.save)}`, { body: {
        sla_class: row.querySelector("[name=sla_class]").value, organisation: row.querySelector("[name=organisation]").value,
      } });
      button.textContent = say.saved;
    } catch (failure) {
      unexpected(alert, failure);
    }
  });

  registryForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = registryForm.elements.file.files[0];
    const done = document.getElementById("registry-done");
    done.hidden = true;
    if (!file) {
      showError(formAlert(registryForm), say.choose_file);
      registryForm.elements.file.focus();
      return;
    }
    const csv = await file.text();
    const imported = await submitting(registryForm, () => staffApi("PUT", "/registry/buildings", { body: { csv } }));
    if (imported === undefined) return;
    done.textContent = fill(say.imported, { count: imported.imported });
    done.hidden = false;
    await loadRegistry();
  });

  keyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!filledIn(keyForm)) return;
    const created = await submitting(keyForm, () => staffApi("POST", "/open311-keys", { body: fields(keyForm) }));
    if (created === undefined) return;
    keyForm.reset();
    await loadKeys();
    shown(document.getElementById("key-given"), fill(say.key_given, { name: created.name, key: created.api_key }));
  });
  document.getElementById("key-list").addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-revoke]");
    if (!button) return;
    showError(error, "");
    try {
      await staffApi("POST", `/open311-keys/${encodeURIComponent(button.dataset.revoke)}/revoke`, { body: {} });
      await loadKeys();
    } catch (failure) {
      unexpected(error, failure);
    }
  });

  const executorsReady = fillExecutors(staffForm.elements.organisation);

  // Each part on its own: one route not working yet leaves the others usable.
  async function part(load) {
    try {
      await load();
    } catch (failure) {
      if (!(failure instanceof ApiError) || failure.status === 401) throw failure;
      showError(error, failure.message);
    }
  }

  return {
    async show() {
      await executorsReady;
      await part(loadOrganisations);
      await Promise.all([loadStaff, loadCatalogue, loadRegistry, () => loadViews(), loadKeys].map(part));
    },
  };
}
