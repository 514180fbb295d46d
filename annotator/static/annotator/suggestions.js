// Suggested spans: the engine's proposals for this reviewer, drawn apart from spans and
// listed on their own. j / k move between them, y or Enter accepts one (it becomes the
// reviewer's span, stored the way the page stores any new span, with the engine named),
// e opens it in the editor first, x hides it for this page view. They are not spans:
// nothing is stored until one is accepted, and no list, count or figure of spans holds them.
import { api, element, placeChildren, quoteClasses, truncate } from "./ui.js";

const panel = document.querySelector("[data-suggestions]");
const toggle = panel?.querySelector("[data-suggestions-toggle]");
const list = panel?.querySelector("[data-suggestion-list]");
const count = panel?.querySelector("[data-suggestions-count]");
const statusLine = panel?.querySelector("[data-suggestions-status]");
const announcer = panel?.querySelector("[data-suggestion-announcer]");
const legendItem = document.querySelector("[data-suggestions-legend]");
const bodyElement = document.querySelector("[data-article-body]");

let page = null; // what article.js lends: its data, spans, and ways to add and edit one
let labelNames = {};
let bodyCharacters = [];
let all = []; // the API's suggestions in text order, each with ``ref``, its index here
const settled = new Set(); // refs rejected, or accepted as edited, in this page view
let currentRef = null;
let editing = null; // { ref, form } while one is in the editor
const listItems = new Map(); // ref -> list item, kept between renders

export function isSuggestion(item) {
  return item.ref !== undefined && item.engine !== undefined;
}

function isOn() {
  return Boolean(toggle?.checked);
}

function place(item) {
  return `${item.label} ${item.start} ${item.end}`;
}

// The suggestions drawn: none when off; never one rejected or accepted as edited here, nor
// one the reviewer's own span already stands at (accepted, or marked by hand since).
export function shown() {
  if (!isOn()) return [];
  const own = new Set(page.ownSpans().map(place));
  return all.filter((s) => !settled.has(s.ref) && !own.has(place(s)));
}

function storageKey() {
  return `annotator:suggestions:${page.data.articleId}`;
}

// Off until the reader turns them on (the engine's marks arrive only when asked for, and
// the text is not redrawn under a reader who did not ask); the choice is kept per article.
function remembered() {
  try {
    return localStorage.getItem(storageKey()) === "on";
  } catch {
    return false;
  }
}

function remember(on) {
  try {
    localStorage.setItem(storageKey(), on ? "on" : "off");
  } catch {
    // Private windows may refuse storage: the choice then lasts this page view.
  }
}

export function start(hooks) {
  page = hooks;
  if (!panel) return; // suggestions are off for this reader and article, or not theirs to make
  labelNames = Object.fromEntries(page.data.labels);
  bodyCharacters = Array.from(page.data.body);
  panel.hidden = false;
  toggle.checked = remembered();
  toggle.addEventListener("change", () => {
    remember(toggle.checked);
    if (!toggle.checked) {
      closeEditor();
      currentRef = null;
    }
    if (toggle.checked && !all.length) load();
    else redrawAll();
  });
  list.addEventListener("click", onListClick);
  bodyElement.addEventListener("pointerdown", () => {
    dragging = true;
  });
  document.addEventListener("pointerup", () => {
    dragging = false;
    redrawIfWaiting();
  });
  document.addEventListener("selectionchange", redrawIfWaiting);
  bodyElement.addEventListener("click", (event) => {
    const mark = event.target.closest(".sg");
    if (mark && window.getSelection().isCollapsed) choose(Number(mark.dataset.suggestions.split(" ")[0]));
  });
  if (toggle.checked) load();
}

async function load() {
  statusLine.textContent = "Asking for suggestions…";
  try {
    const answer = await api("GET", page.data.suggestions.url);
    all = [...answer.suggestions]
      .sort((x, y) => x.start - y.start || y.end - x.end)
      .map((s, ref) => ({ ...s, ref }));
    statusLine.textContent = "";
  } catch (error) {
    statusLine.textContent = error.message;
  }
  redrawAll();
}

function redrawAll() {
  redrawText();
  renderList();
}

// Drawing the marks replaces the text's nodes, which would take a selection being made (by
// mouse or keys) from the reader: the text waits until the selection is done with.
let dragging = false;
let waiting = false;

function selecting() {
  const selection = window.getSelection();
  return dragging || (!selection.isCollapsed && selection.rangeCount > 0 && selection.getRangeAt(0).intersectsNode(bodyElement));
}

function redrawText(extent) {
  if (selecting()) waiting = true;
  else page.redraw(extent);
}

function redrawIfWaiting() {
  if (waiting && !selecting()) {
    waiting = false;
    page.redraw();
  }
}

// ---------- drawing

// A run of text some shown suggestions cover, wrapped in one dashed mark naming them;
// the run where one begins or ends closes the box on that side.
export function marked(node, covering, from, to) {
  const here = covering.filter(isSuggestion);
  if (!here.length) return node;
  const classes = ["sg", `sg-${here[0].label}`];
  if (here.some((s) => s.start === from)) classes.push("sg-start");
  if (here.some((s) => s.end === to)) classes.push("sg-end");
  if (here.some((s) => s.ref === currentRef)) classes.push("is-current");
  const names = [...new Set(here.map((s) => labelNames[s.label].toLowerCase()))].join(", ");
  return element(
    "span",
    { className: classes.join(" "), dataset: { suggestions: here.map((s) => s.ref).join(" ") }, title: `Suggested ${names}: not yours until accepted` },
    node,
  );
}

function suggestedLinkTarget(suggestion) {
  return all.find((s) => s.key === suggestion.attribution) || null;
}

// The reviewer's attribution a claim or opinion links to as suggested: the span standing
// where its suggested attribution stands (accepted here, or earlier, the server says).
function suggestedLink(suggestion) {
  if (suggestion.label === "attribution") return null;
  const attributions = page.ownSpans().filter((a) => a.label === "attribution");
  if (suggestion.attribution_span) return attributions.find((a) => a.id === suggestion.attribution_span) || null;
  const target = suggestedLinkTarget(suggestion);
  return target ? attributions.find((a) => a.start === target.start && a.end === target.end) || null : null;
}

function summary(suggestion) {
  const speaker = suggestion.speaker_name ? { name: suggestion.speaker_name } : null;
  const fields = { ...suggestion, ...suggestion.fields };
  const target = suggestedLinkTarget(suggestion);
  return page.fieldSummary(fields, speaker, target);
}

function item(suggestion) {
  const button = (action, text, key) =>
    element(
      "button",
      { type: "button", className: "btn btn-link btn-sm p-0 me-2", "aria-keyshortcuts": key, dataset: { [action]: suggestion.ref } },
      text,
      " ",
      element("kbd", { "aria-hidden": "true" }, key),
    );
  const passage = truncate(suggestion.quote, 160);
  return element(
    "li",
    { className: `suggestion-item label-${suggestion.label}`, tabindex: "0", dataset: { suggestionRef: suggestion.ref } },
    element(
      "div",
      { className: "d-flex justify-content-between align-items-start gap-2 flex-wrap" },
      element(
        "div",
        {},
        element("span", { className: `suggestion-badge suggestion-badge-${suggestion.label}` }, `Suggested ${labelNames[suggestion.label].toLowerCase()}`),
        element("span", { className: "small ms-1" }, `score ${suggestion.score.toFixed(2)}`),
      ),
      element("div", { className: "text-nowrap" }, button("accept", "Accept", "y"), button("editSuggestion", "Edit", "e"), button("reject", "Reject", "x")),
    ),
    element("q", { className: quoteClasses(passage) }, passage),
    element("div", { className: "fields" }, summary(suggestion)),
  );
}

export function renderList() {
  if (!panel) return;
  const visible = shown();
  count.textContent = isOn() && all.length ? `${visible.length} shown` : "";
  const nodes = visible.map((suggestion) => {
    if (!listItems.has(suggestion.ref)) listItems.set(suggestion.ref, item(suggestion));
    const node = listItems.get(suggestion.ref);
    node.classList.toggle("is-current", suggestion.ref === currentRef);
    if (editing?.ref === suggestion.ref) node.append(editing.form);
    return node;
  });
  if (isOn() && all.length && !visible.length) nodes.push(element("li", { className: "small" }, "No suggestions left on this article."));
  placeChildren(list, nodes);
  list.hidden = !isOn();
  legendItem.hidden = !isOn();
}

// ---------- moving, accepting, rejecting

function announce(message) {
  announcer.textContent = message;
}

// Makes a shown suggestion the current one: marked, focused in the list, its passage
// scrolled into view and announced (after ``said``, what was just done, if anything).
function choose(ref, said = "") {
  const visible = shown();
  const at = visible.findIndex((s) => s.ref === ref);
  if (at === -1) return;
  currentRef = ref;
  for (const node of document.querySelectorAll(".sg.is-current, .suggestion-item.is-current")) node.classList.remove("is-current");
  const marks = bodyElement.querySelectorAll(`[data-suggestions~="${ref}"]`);
  for (const mark of marks) mark.classList.add("is-current");
  const listed = list.querySelector(`[data-suggestion-ref="${ref}"]`);
  listed?.classList.add("is-current");
  listed?.scrollIntoView({ block: "nearest" });
  listed?.focus({ preventScroll: true });
  // The text last, so that on a phone, where the list is below the text, the passage shows.
  requestAnimationFrame(() => marks[0]?.scrollIntoView({ block: "center" }));
  const suggestion = visible[at];
  announce(
    `${said}Suggestion ${at + 1} of ${visible.length}: ${labelNames[suggestion.label].toLowerCase()}, “${truncate(suggestion.quote, 80)}”. ` +
      "y accepts, e edits, x rejects.",
  );
}

function step(direction) {
  const visible = shown();
  if (!visible.length) {
    announce("No suggestions left on this article.");
    return;
  }
  const at = visible.findIndex((s) => s.ref === currentRef);
  const next = at === -1 ? (direction > 0 ? 0 : visible.length - 1) : (at + direction + visible.length) % visible.length;
  choose(visible[next].ref);
}

// After one is accepted or rejected (``said``), the next in text order becomes the current one.
function moveOn(after, said) {
  const next = shown().find((s) => s.start > after.start || (s.start === after.start && s.ref > after.ref)) || shown()[0];
  currentRef = null;
  if (next) choose(next.ref, `${said} `);
  else announce(`${said} No suggestions left on this article.`);
}

// The span a suggestion becomes: its label, place and fields, the engine that suggested it,
// and its speaker by name (a name no speaker has adds one, as the editor does).
async function payloadOf(suggestion) {
  const payload = {
    label: suggestion.label,
    start: suggestion.start,
    end: suggestion.end,
    quote: suggestion.quote,
    ...suggestion.fields,
    suggested_by: suggestion.engine,
  };
  if (suggestion.label === "attribution" && suggestion.speaker_name) payload.speaker = await page.speakerIdFor(suggestion.speaker_name);
  return payload;
}

async function accept(suggestion) {
  let payload;
  try {
    payload = await payloadOf(suggestion);
  } catch (error) {
    statusLine.textContent = error.message;
    return;
  }
  if (await page.addSpan(payload, suggestedLink(suggestion))) {
    moveOn(suggestion, `Accepted: ${labelNames[suggestion.label].toLowerCase()} “${truncate(suggestion.quote, 80)}”.`);
  }
}

function reject(suggestion) {
  settled.add(suggestion.ref);
  if (editing?.ref === suggestion.ref) page.closeEditor();
  redrawText(suggestion);
  renderList();
  moveOn(suggestion, `Rejected for this page view: “${truncate(suggestion.quote, 80)}”. Nothing is stored.`);
}

// Saving the edited suggestion stores it as the reviewer changed it, still naming the engine.
async function saveEdited(suggestion, changes) {
  const { start, end, ...rest } = changes;
  const payload = { ...rest, start, end, quote: bodyCharacters.slice(start, end).join(""), suggested_by: suggestion.engine };
  if (payload.label !== suggestion.label) {
    // Fields of the suggested label do not fit another one.
    for (const name of Object.keys(rest)) if (!["label", "note"].includes(name)) delete payload[name];
  }
  if (await page.addSpan(payload)) {
    settled.add(suggestion.ref); // it may stand elsewhere now, or under another label
    redrawText(suggestion);
    page.closeEditor();
    moveOn(suggestion, `Accepted as edited: “${truncate(payload.quote, 80)}”.`);
  }
}

function edit(suggestion) {
  const link = suggestedLink(suggestion);
  const draft = {
    ...suggestion,
    ...suggestion.fields,
    id: `suggestion-${suggestion.ref}`,
    note: "",
    reviewer: page.data.username,
    attribution: link ? link.id : null,
  };
  editing = { ref: suggestion.ref, form: page.draftEditor(draft, (changes) => saveEdited(suggestion, changes)) };
  currentRef = suggestion.ref;
  renderList();
  editing.form.querySelector("input, select")?.focus();
}

export function closeEditor() {
  if (!editing) return;
  editing.form.remove();
  editing = null;
  renderList();
}

const ACTIONS = { y: accept, Enter: accept, x: reject, e: edit };

// The page's keys for suggestions; true when the key was theirs. Enter accepts only from
// the current suggestion's list item or the text, so a focused button keeps its own Enter.
export function handleKey(event) {
  if (!isOn()) return false;
  if (event.key === "j" || event.key === "k") {
    step(event.key === "j" ? 1 : -1);
    return true;
  }
  const action = ACTIONS[event.key];
  if (!action) return false;
  if (event.key === "Enter" && !event.target.matches("[data-suggestion-ref], [data-article-body], body")) return false;
  const suggestion = shown().find((s) => s.ref === currentRef);
  if (!suggestion) {
    announce("No suggestion is chosen: j goes to the next one.");
    return true;
  }
  action(suggestion);
  return true;
}

function onListClick(event) {
  const button = event.target.closest("button");
  const listed = event.target.closest("[data-suggestion-ref]");
  if (!listed || event.target.closest("[data-editor]")) return;
  const suggestion = all[Number(listed.dataset.suggestionRef)];
  if (button?.dataset.accept !== undefined) accept(suggestion);
  else if (button?.dataset.reject !== undefined) reject(suggestion);
  else if (button?.dataset.editSuggestion !== undefined) edit(suggestion);
  else choose(suggestion.ref);
}
