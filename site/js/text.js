// The page's translated texts (a JSON data block rendered at build time) and the
// formats that depend on the page language and the city's time zone.

const lang = document.documentElement.lang;
const timeZone = document.body.dataset.timezone;

export const texts = JSON.parse(document.getElementById("texts").textContent);

export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

// Intl gets the plural forms right in every language ("24 години", "6 годин").
// Up to three days read best in hours; a week in days.
function duration(hours) {
  const [value, unit] = hours > 72 && hours % 24 === 0 ? [hours / 24, "day"] : [hours, "hour"];
  return new Intl.NumberFormat(lang, { style: "unit", unit, unitDisplay: "long" }).format(value);
}

export function deadlineClass(cause) {
  return fill(texts.deadline, {
    class: texts.sla[cause.sla_class] || cause.sla_class,
    duration: fill(texts.within, { duration: duration(cause.sla_hours) }),
  });
}

const dateTime = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone });

export function when(iso) {
  return iso ? dateTime.format(new Date(iso)) : "";
}

// The street is a name when the caller has one, else its code.
export function addressLine(address) {
  const parts = [address.street_name || address.street, fill(texts.house_short, { house: address.house })];
  if (address.entrance) parts.push(fill(texts.entrance_short, { entrance: address.entrance }));
  if (address.flat) parts.push(fill(texts.flat_short, { flat: address.flat }));
  return parts.join(", ");
}

export function statusLabel(code) {
  return texts.status[code] || code;
}
