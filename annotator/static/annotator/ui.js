// What the article page's modules share: the JSON API with the page's CSRF token, its
// refusals in plain words, and small DOM and text helpers.

const csrfToken = document.querySelector("[name=csrfmiddlewaretoken]").value;

export async function api(method, url, payload, signal) {
  const response = await fetch(url, {
    method,
    signal,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
    body: payload === undefined ? undefined : JSON.stringify(payload),
  });
  if (response.status === 204) return null;
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(plainReasons(body) || `The server answered ${response.status}.`);
  return body;
}

// Reasons that are about the whole request carry no field name for a reader.
const WHOLE_REQUEST = new Set(["__all__", "non_field_errors", "detail"]);

// An error answer's reasons in plain words: "You already marked this exact span with this
// label." rather than "__all__: …"; a field's reason is named by the field ("check worthy: …").
export function plainReasons(body) {
  return Object.entries(body)
    .map(([field, why]) => {
      const reason = [].concat(why).join(" ");
      return WHOLE_REQUEST.has(field) ? reason : `${field.replaceAll("_", " ")}: ${reason}`;
    })
    .join(" ");
}

// As text.shortened on the server: code points, a letter kept with its combining marks.
export function truncate(text, length) {
  const characters = Array.from(text);
  if (characters.length <= length) return text;
  let cut = length - 1;
  while (cut > 0 && /\p{M}/u.test(characters[cut])) cut -= 1;
  return `${characters.slice(0, cut).join("")}…`;
}

// The <q> marks a passage already has at its start or end are left out (the CSS classes
// of the quotes template tag, annotator/templatetags/quotes.py, with the same marks).
export function quoteClasses(passage) {
  const classes = [];
  if (/^[“„«‹"]/.test(passage)) classes.push("opens-quoted");
  if (/[”»›"]$/.test(passage)) classes.push("closes-quoted");
  return classes.join(" ");
}

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "className") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

// Makes ``nodes`` the parent's children with as few moves as possible, so the
// browser lays out again only what changed (one new item, not the whole list).
export function placeChildren(parent, nodes) {
  let current = parent.firstChild;
  for (const node of nodes) {
    if (node === current) {
      current = current.nextSibling;
    } else {
      parent.insertBefore(node, current);
    }
  }
  while (current) {
    const next = current.nextSibling;
    current.remove();
    current = next;
  }
}
