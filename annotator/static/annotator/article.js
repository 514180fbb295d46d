// The article page: select a passage, label it, edit and delete spans, all
// through the JSON API without reloading. Without JavaScript the page still
// lists the spans and offers the add-by-quote form.
import { codePointLength, segments, sentenceAround, utf16ToCodePoints } from "./offsets.js";
import * as suggestions from "./suggestions.js";
import { api, element, placeChildren, quoteClasses, truncate } from "./ui.js";

const data = JSON.parse(document.getElementById("page-data").textContent);
// Speakers by id: those of the spans on the page, then every one the API has sent since.
const speakers = new Map(data.speakers.map((speaker) => [speaker.id, speaker]));
const SEARCH_DELAY_MS = 250;
const SPEAKER_SUGGESTIONS = 20;
// Looking for one name exactly, read as many as the API sends at once.
const EXACT_SEARCH = 100;
const bodyElement = document.querySelector("[data-article-body]");
const toolbar = document.querySelector("[data-toolbar]");
const list = document.querySelector("[data-annotation-list]");
const errorBox = document.querySelector("[data-error]");
const statusBox = document.querySelector("[data-status]");
const bodyCharacters = Array.from(data.body);
const LABEL_ORDER = ["attribution", "claim", "opinion"];
const WORD = /[\p{L}\p{N}\p{M}]/u;
const LABEL_KEYS = { c: "claim", o: "opinion", a: "attribution" };
const LABEL_NAMES = Object.fromEntries(data.labels);
// A span's label fields as the server defines them: name, kind, owning labels, title, choices.
const FIELDS = data.fields;
const FIELD_KINDS = Object.fromEntries(FIELDS.map((field) => [field.name, field.kind]));
// Spans a figure counts, when the page opened as that figure's evidence: marked, as loaded.
const COUNTED = new Set(data.counted);
const COUNTED_MARK = "◆ counted";

function fieldsOf(label) {
  return FIELDS.filter((field) => field.labels.includes(label));
}

const paragraphs = [...bodyElement.querySelectorAll("p[data-offset]")].map((element) => {
  const text = element.textContent;
  return { element, text, start: Number(element.dataset.offset), length: codePointLength(text) };
});

let annotations = data.annotations;
let pending = null;
let editingId = null;
let editorChanged = false; // the open editor holds changes not saved yet
let activeId = null;
// What Ctrl+Z undoes: the reviewer's last new span ({ created: id }) or deletion
// ({ deleted: span, unlinked: [ids of the spans that were linked to it] }).
let lastAction = null;
const UNDO_SHOWN_MS = 10000;
let undoTimer = null;
const keysDialog = document.querySelector("[data-keys-dialog]");

document.querySelector("[data-js-hint]").hidden = !data.canCreate;

// ---------- selection → code point offsets

function paragraphFor(node) {
  const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  const p = element && element.closest("p[data-offset]");
  return p && bodyElement.contains(p) ? paragraphs.find((item) => item.element === p) : null;
}

function boundaryOffset(node, offset, isEnd) {
  const paragraph = paragraphFor(node);
  if (paragraph) {
    const range = document.createRange();
    range.setStart(paragraph.element, 0);
    range.setEnd(node, offset);
    return paragraph.start + utf16ToCodePoints(paragraph.text, range.toString().length);
  }
  // A boundary between paragraphs (triple click, dragging past the end):
  // snap to the nearest paragraph edge on the inner side of the selection.
  const point = document.createRange();
  point.setStart(node, offset);
  if (isEnd) {
    const before = paragraphs.filter((p) => point.comparePoint(p.element, 0) <= 0);
    const last = before[before.length - 1];
    return last ? last.start + last.length : null;
  }
  const after = paragraphs.find((p) => point.comparePoint(p.element, 0) >= 0);
  return after ? after.start : null;
}

function selectedSpan() {
  const selection = window.getSelection();
  if (!selection.rangeCount || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!range.intersectsNode(bodyElement)) return null;
  let start = boundaryOffset(range.startContainer, range.startOffset, false);
  let end = boundaryOffset(range.endContainer, range.endOffset, true);
  if (start === null || end === null) return null;
  while (start < end && /\s/u.test(bodyCharacters[start])) start += 1;
  while (end > start && /\s/u.test(bodyCharacters[end - 1])) end -= 1;
  if (start >= end) return null;
  // Snap to whole words (and never split a letter from its combining marks),
  // so that two reviewers who mean the same words get the same offsets.
  while (start > 0 && WORD.test(bodyCharacters[start - 1]) && WORD.test(bodyCharacters[start])) start -= 1;
  while (end < bodyCharacters.length && WORD.test(bodyCharacters[end - 1]) && WORD.test(bodyCharacters[end])) end += 1;
  return { start, end, quote: bodyCharacters.slice(start, end).join(""), range };
}

function updateToolbar() {
  pending = data.canCreate ? selectedSpan() : null;
  if (!pending) {
    toolbar.hidden = true;
    return;
  }
  const rect = pending.range.getBoundingClientRect();
  toolbar.hidden = false;
  toolbar.style.top = `${window.scrollY + rect.bottom + 8}px`;
  toolbar.style.left = `${Math.max(8, window.scrollX + rect.left)}px`;
}

// ---------- API

function annotationUrl(id) {
  return data.urls.annotation.replace(/0\/$/, `${id}/`);
}

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = !message;
}

function showStatus(message) {
  clearTimeout(undoTimer);
  statusBox.textContent = message;
  statusBox.hidden = !message;
}

// "Deleted. Undo" for some seconds; Ctrl+Z undoes it as long as nothing else was done.
function offerUndo(message) {
  showStatus(message);
  statusBox.append(" ", element("button", { type: "button", className: "btn btn-link btn-sm p-0 align-baseline", dataset: { undo: "" } }, "Undo"));
  undoTimer = setTimeout(() => showStatus(""), UNDO_SHOWN_MS);
}

// A claim or opinion in the same sentence as one of the reviewer's
// attributions is probably in its scope: propose that link (nearest first).
function proposedAttribution(start, end) {
  const sentence = sentenceAround(bodyCharacters, start, end);
  const candidates = annotations.filter(
    (a) => a.label === "attribution" && a.reviewer === data.username && a.start < sentence.end && a.end > sentence.start,
  );
  candidates.sort((x, y) => Math.abs(x.start - start) - Math.abs(y.start - start));
  return candidates[0] || null;
}

async function createAnnotation(label) {
  if (!pending) return;
  const { start, end, quote } = pending;
  if (await addSpan({ label, start, end, quote })) {
    window.getSelection().removeAllRanges();
    toolbar.hidden = true;
    pending = null;
  }
}

// The one way the page stores a new span, selected by hand or an accepted suggestion.
// ``link``: the attribution a claim or opinion is linked to as suggested; without one (and
// without a link chosen in the editor), an attribution in the same sentence is proposed.
// Returns the stored span, or null.
async function addSpan(payload, link = null) {
  const unchosen = payload.label !== "attribution" && !("attribution" in payload);
  const proposal = link || (unchosen ? proposedAttribution(payload.start, payload.end) : null);
  if (proposal) payload.attribution = proposal.id;
  try {
    const created = await api("POST", data.urls.annotations, payload);
    annotations.push(created);
    showError("");
    render(created);
    flash(created.id);
    lastAction = { created: created.id };
    const where = link ? "as suggested" : "in the same sentence";
    showStatus(proposal ? `Linked to the attribution “${truncate(proposal.quote, 40)}” ${where}; change it with Edit.` : "");
    return created;
  } catch (error) {
    showError(error.message);
    return null;
  }
}

async function saveAnnotation(id, changes) {
  try {
    // A span that stops being an attribution leaves the spans linked to it unlinked.
    const { unlinked = [], detail = "", ...saved } = await api("PATCH", annotationUrl(id), changes);
    annotations = annotations.map((a) =>
      a.id === id ? saved : unlinked.includes(a.id) ? { ...a, attribution: null } : a,
    );
    editingId = null;
    editorChanged = false;
    showError("");
    render(saved);
    showStatus(detail);
    bodyElement.focus({ preventScroll: true });
  } catch (error) {
    showError(error.message);
  }
}

// ``undoing``: the deletion undoes a new span, and is not offered for undoing itself.
async function deleteAnnotation(id, { undoing = false } = {}) {
  try {
    const answer = await api("DELETE", annotationUrl(id));
    const deleted = annotations.find((a) => a.id === id);
    annotations = annotations
      .filter((a) => a.id !== id)
      .map((a) => (a.attribution === id ? { ...a, attribution: null } : a));
    showError("");
    render(deleted);
    if (undoing) {
      lastAction = null;
      showStatus("Undone: the new span is removed.");
    } else {
      lastAction = { deleted, unlinked: answer ? answer.unlinked : [] };
      offerUndo(`Deleted. ${answer ? answer.detail : ""}`.trim());
    }
  } catch (error) {
    showError(error.message);
  }
}

// The deleted span comes back with its id (the server keeps its history), and the
// claims and opinions its deletion unlinked are linked to it again.
async function restoreAnnotation({ deleted, unlinked }) {
  try {
    const restored = await api("POST", `${annotationUrl(deleted.id)}restore/`);
    annotations.push(restored);
    for (const id of unlinked) {
      const relinked = await api("PATCH", annotationUrl(id), { attribution: restored.id });
      annotations = annotations.map((a) => (a.id === id ? relinked : a));
    }
    lastAction = null;
    showError("");
    render(restored);
    flash(restored.id);
    showStatus("Undone: the span is back.");
  } catch (error) {
    showError(error.message);
  }
}

function undo() {
  if (!lastAction) showStatus("Nothing to undo.");
  else if (lastAction.created) deleteAnnotation(lastAction.created, { undoing: true });
  else restoreAnnotation(lastAction);
}

// ---------- rendering

function inTextOrder(items) {
  return [...items].sort((x, y) => x.start - y.start || y.end - x.end || x.id - y.id);
}

// Redraws the paragraphs that overlap ``extent`` (a span's start and end), or all.
// Suggestions shown are drawn around the spans, apart from them (suggestions.js).
function renderHighlights(extent) {
  const suggested = suggestions.shown();
  for (const paragraph of paragraphs) {
    if (extent && !(paragraph.start < extent.end && extent.start < paragraph.start + paragraph.length)) continue;
    const characters = Array.from(paragraph.text);
    const nodes = segments(paragraph.start, paragraph.length, [...annotations, ...suggested]).map((run) => {
      const textNode = document.createTextNode(characters.slice(run.from, run.to).join(""));
      if (!run.covering.length) return textNode;
      const spans = run.covering.filter((a) => !suggestions.isSuggestion(a));
      let inner = textNode;
      for (const label of [...LABEL_ORDER].reverse()) {
        const ids = spans.filter((a) => a.label === label).map((a) => a.id);
        if (!ids.length) continue;
        const span = document.createElement("span");
        span.className = `hl hl-${label}`;
        span.dataset.ids = ids.join(" ");
        span.title = ids.length > 1 ? `${ids.length} ${label} spans` : LABEL_NAMES[label];
        span.append(inner);
        inner = span;
      }
      markCounted(inner, paragraph.start + run.from, spans);
      return suggestions.marked(inner, run.covering, paragraph.start + run.from, paragraph.start + run.to);
    });
    paragraph.element.replaceChildren(...nodes);
  }
}

// Outlines a run covered by a counted span; the run where some begin also carries the
// text marker, with their number when several begin there (drawn by CSS, so it is no
// part of the text a selection measures).
function markCounted(node, runStart, covering) {
  const counted = covering.filter((a) => COUNTED.has(a.id));
  if (!counted.length) return;
  node.classList.add("is-counted");
  node.title += ` · ${COUNTED_MARK} by ${data.figure}`;
  const starting = counted.filter((a) => a.start === runStart).length;
  if (starting) node.dataset.countedStart = starting > 1 ? `×${starting}` : "";
}

function choiceName(field, value) {
  const pair = field.choices.find(([key]) => key === value);
  return pair ? pair[1] : value;
}

function fieldSummary(annotation, speaker, link) {
  const parts = [];
  for (const field of fieldsOf(annotation.label)) {
    const value = annotation[field.name];
    if (field.kind === "speaker") {
      if (speaker) parts.push(`${field.title}: ${speaker.name}`);
    } else if (field.kind === "link") {
      parts.push(link ? `linked to “${truncate(link.quote, 40)}”` : "own voice (unlinked)");
    } else if (field.kind === "boolean") {
      if (value !== null) parts.push(value ? field.title : `not ${field.title}`);
    } else if (value) {
      parts.push(`${field.title}: ${choiceName(field, value)}`);
    }
  }
  return parts.join(" · ");
}

function selectField(name, labelText, options, current) {
  const select = element("select", { className: "form-select form-select-sm", name });
  for (const [value, text] of options) {
    const option = element("option", { value }, text);
    if (String(value) === String(current ?? "")) option.selected = true;
    select.append(option);
  }
  return element("label", { className: "form-label small w-100 mb-1" }, labelText, select);
}

// The first ``limit`` speakers (by name) whose name or an alias contains ``text``.
async function searchSpeakers(text, { limit = SPEAKER_SUGGESTIONS, signal } = {}) {
  const query = new URLSearchParams({ q: text.trim(), limit });
  const found = (await api("GET", `${data.urls.speakers}?${query}`, undefined, signal)).results;
  for (const speaker of found) speakers.set(speaker.id, speaker);
  return found;
}

function isNamed(speaker, name) {
  const wanted = name.trim().toLocaleLowerCase();
  return [speaker.name, ...speaker.aliases].some((known) => known.toLocaleLowerCase() === wanted);
}

// An empty name clears the speaker; a known name or alias picks that record;
// a new name creates a speaker record that admins can later merge or describe.
async function speakerIdFor(name) {
  if (!name.trim()) return null;
  const known = [...speakers.values()].find((speaker) => isNamed(speaker, name))
    || (await searchSpeakers(name, { limit: EXACT_SEARCH })).find((speaker) => isNamed(speaker, name));
  if (known) return known.id;
  const created = await api("POST", data.urls.speakers, { name: name.trim() });
  speakers.set(created.id, created);
  return created.id;
}

function suggestionOptions(found) {
  return found.flatMap((speaker) => [
    element("option", { value: speaker.name }),
    ...speaker.aliases.map((alias) => element("option", { value: alias, label: `→ ${speaker.name}` })),
  ]);
}

// Suggestions come from the API as the reviewer types, a moment after the last key.
function speakerField(annotation) {
  const listId = `speakers-${annotation.id}`;
  const options = element("datalist", { id: listId });
  const current = speakers.get(annotation.speaker);
  const input = element("input", {
    className: "form-control form-control-sm",
    name: "speaker_name",
    list: listId,
    autocomplete: "off",
    placeholder: "Name or alias; a new name adds a speaker",
  });
  // A suggestion not stored yet names its speaker; a span holds a speaker record.
  input.value = annotation.speaker_name ?? (current ? current.name : "");
  let timer = null;
  let search = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    search?.abort();
    if (!input.value.trim()) {
      options.replaceChildren();
      return;
    }
    timer = setTimeout(async () => {
      const controller = (search = new AbortController());
      try {
        const found = await searchSpeakers(input.value, { signal: controller.signal });
        options.replaceChildren(...suggestionOptions(found));
      } catch (error) {
        if (!controller.signal.aborted) showError(error.message);
      }
    }, SEARCH_DELAY_MS);
  });
  return element("label", { className: "form-label small w-100 mb-1" }, "Speaker", input, options);
}

const YES_NO = [["", "—"], ["true", "Yes"], ["false", "No"]];

function capitalised(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function fieldControl(field, annotation) {
  const title = capitalised(field.title);
  const value = annotation[field.name];
  if (field.kind === "speaker") return speakerField(annotation);
  if (field.kind === "boolean") return selectField(field.name, title, YES_NO, value);
  if (field.kind === "choice") return selectField(field.name, title, [["", "—"], ...field.choices], value);
  const links = inTextOrder(annotations.filter((a) => a.label === "attribution" && a.reviewer === annotation.reviewer));
  const options = [["", "— none (own voice) —"], ...links.map((a) => [a.id, truncate(a.quote, 50)])];
  return selectField(field.name, title, options, value);
}

// The editor of a span; given ``save``, of a suggestion not stored yet, with its offsets
// among the controls (``before``). ``save`` receives the changes as the API takes them.
function editor(annotation, { save = (changes) => saveChanges(annotation, changes), cancel = closeEditor, before = [] } = {}) {
  const form = element("form", { className: "mt-2", dataset: { editor: annotation.id } });
  form.append(...before, selectField("label", "Label", data.labels, annotation.label));
  for (const field of fieldsOf(annotation.label)) form.append(fieldControl(field, annotation));
  const note = element("textarea", { className: "form-control form-control-sm", name: "note", rows: "2", maxlength: "2000" });
  note.value = annotation.note;
  form.append(element("label", { className: "form-label small w-100 mb-1" }, "Note", note));
  form.append(
    element("button", { type: "submit", className: "btn btn-sm btn-primary me-1" }, "Save"),
    element("button", { type: "button", className: "btn btn-sm btn-outline-secondary", dataset: { cancel: "" } }, "Cancel"),
  );
  form.addEventListener("input", () => {
    editorChanged = true;
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const changes = {};
    for (const control of form.elements) {
      if (!control.name) continue;
      if (control.name === "speaker_name") {
        try {
          changes.speaker = await speakerIdFor(control.value);
        } catch (error) {
          showError(error.message);
          return;
        }
        continue;
      }
      const value = control.value;
      const kind = FIELD_KINDS[control.name];
      if (kind === "boolean") changes[control.name] = value === "" ? null : value === "true";
      else if (kind === "link") changes[control.name] = value === "" ? null : Number(value);
      else if (control.type === "number") changes[control.name] = Number(value);
      else changes[control.name] = value;
    }
    save(changes);
  });
  form.querySelector("[data-cancel]").addEventListener("click", cancel);
  form.addEventListener("click", (event) => event.stopPropagation());
  return form;
}

function saveChanges(annotation, changes) {
  if (changes.label !== annotation.label) {
    // Fields of the old label are cleared by the server; send only what fits.
    saveAnnotation(annotation.id, { label: changes.label, note: changes.note });
  } else {
    saveAnnotation(annotation.id, changes);
  }
}

function closeEditor() {
  editingId = null;
  editorChanged = false;
  renderList();
  suggestions.closeEditor();
}

// "Edit before accepting": a suggestion in the editor, its offsets (code points) changeable,
// the passage they hold shown as they change.
function draftEditor(draft, save) {
  editingId = draft.id;
  editorChanged = false;
  const passage = element("q", { className: "d-block small mb-1", dataset: { draftQuote: "" } }, draft.quote);
  const offset = (name, title, value) => {
    const input = element("input", { className: "form-control form-control-sm", type: "number", name, min: "0", max: String(bodyCharacters.length), required: "" });
    input.value = value;
    return element("label", { className: "form-label small mb-1 flex-fill" }, title, input);
  };
  const place = element("div", { className: "d-flex gap-2" }, offset("start", "Starts at character", draft.start), offset("end", "Ends before character", draft.end));
  place.addEventListener("input", () => {
    const [start, end] = [...place.querySelectorAll("input")].map((input) => Number(input.value));
    passage.textContent = bodyCharacters.slice(start, end).join("");
  });
  return editor(draft, { save, before: [place, passage] });
}

function listItem(annotation, own, editing, summary) {
  const header = element(
    "div",
    { className: "d-flex justify-content-between align-items-start gap-2" },
    element(
      "div",
      {},
      element("span", { className: `badge badge-${annotation.label}` }, LABEL_NAMES[annotation.label]),
      COUNTED.has(annotation.id) ? element("span", { className: "counted-badge ms-1" }, COUNTED_MARK) : "",
      data.showReviewer ? element("span", { className: "small text-body-secondary ms-1" }, annotation.reviewer) : "",
    ),
  );
  if (own && !editing) {
    const actions = element(
      "div",
      { className: "text-nowrap" },
      element("button", { type: "button", className: "btn btn-link btn-sm p-0 me-2", dataset: { edit: annotation.id } }, "Edit"),
      element("button", { type: "button", className: "btn btn-link btn-sm p-0 text-danger-emphasis", dataset: { delete: annotation.id } }, "Delete"),
    );
    header.append(actions);
  }
  const passage = truncate(annotation.quote, 160);
  const item = element(
    "li",
    {
      className: `annotation-item label-${annotation.label}${COUNTED.has(annotation.id) ? " is-counted" : ""}`,
      tabindex: "0",
      dataset: { annotationId: annotation.id },
    },
    header,
    element("q", { className: quoteClasses(passage) }, passage),
    element("div", { className: "fields" }, summary),
  );
  if (annotation.suggested_by) item.append(element("div", { className: "fields", dataset: { provenance: "" } }, `suggested by ${annotation.suggested_by}, accepted`));
  if (annotation.note) item.append(element("div", { className: "small" }, annotation.note));
  if (editing) item.append(editor(annotation));
  return item;
}

// List items are kept between renders and rebuilt only when what they show
// changed: with hundreds of spans, adding one must not rebuild them all.
const listItems = new Map(); // annotation id -> { key, node }

function renderList() {
  const byId = new Map(annotations.map((a) => [a.id, a]));
  const items = inTextOrder(annotations).map((annotation) => {
    const own = data.editAll || annotation.reviewer === data.username;
    const speaker = speakers.get(annotation.speaker);
    const link = byId.get(annotation.attribution);
    const editing = editingId === annotation.id;
    const key = JSON.stringify([annotation, own, editing, speaker?.name, link?.quote]);
    const cached = listItems.get(annotation.id);
    if (cached && cached.key === key) return cached.node;
    const node = listItem(annotation, own, editing, fieldSummary(annotation, speaker, link));
    listItems.set(annotation.id, { key, node });
    return node;
  });
  for (const id of listItems.keys()) if (!byId.has(id)) listItems.delete(id);
  if (!items.length) items.push(element("li", { className: "text-body-secondary small" }, "No annotations yet."));
  placeChildren(list, items);
}

// After a span is added, changed or deleted, only its paragraphs are redrawn.
function render(changed) {
  renderHighlights(changed);
  renderList();
  suggestions.renderList();
}

// Scrolls to a span and flashes it, on the next frame: forcing a layout here,
// right after a render, would cost as much as the render itself.
function flash(id) {
  const spans = bodyElement.querySelectorAll(`[data-ids~="${id}"]`);
  if (!spans.length) return;
  for (const span of spans) span.classList.remove("is-flash");
  requestAnimationFrame(() => {
    spans[0].scrollIntoView({ block: "nearest", behavior: "smooth" });
    for (const span of spans) span.classList.add("is-flash");
  });
}

function activate(id) {
  activeId = id;
  for (const node of document.querySelectorAll(".is-active")) node.classList.remove("is-active");
  for (const span of bodyElement.querySelectorAll(`[data-ids~="${id}"]`)) span.classList.add("is-active");
  const item = list.querySelector(`[data-annotation-id="${id}"]`);
  if (item) {
    item.classList.add("is-active");
    item.scrollIntoView({ block: "nearest" });
  }
}

// n / p: the next or previous span in text order from the active one.
function step(direction) {
  const ordered = inTextOrder(annotations);
  if (!ordered.length) return;
  const at = ordered.findIndex((a) => a.id === activeId);
  const next = at === -1 ? (direction > 0 ? 0 : ordered.length - 1) : (at + direction + ordered.length) % ordered.length;
  const id = ordered[next].id;
  activate(id);
  flash(id);
  list.querySelector(`[data-annotation-id="${id}"]`)?.focus({ preventScroll: true });
}

// ---------- events

list.addEventListener("click", (event) => {
  const edit = event.target.closest("[data-edit]");
  const remove = event.target.closest("[data-delete]");
  if (edit) {
    suggestions.closeEditor();
    editingId = Number(edit.dataset.edit);
    renderList();
    list.querySelector("[data-editor] select")?.focus();
  } else if (remove) {
    deleteAnnotation(Number(remove.dataset.delete));
  } else {
    const item = event.target.closest("[data-annotation-id]");
    if (item) {
      const id = Number(item.dataset.annotationId);
      activate(id);
      flash(id);
    }
  }
});

list.addEventListener("keydown", (event) => {
  const item = event.target.closest("[data-annotation-id]");
  if (item && event.target === item && event.key === "Enter") item.click();
});

bodyElement.addEventListener("click", (event) => {
  const span = event.target.closest(".hl");
  if (span && window.getSelection().isCollapsed) {
    const ids = event.target.closest("[data-ids]").dataset.ids.split(" ");
    activate(Number(ids[0]));
  }
});

toolbar.addEventListener("mousedown", (event) => event.preventDefault());
toolbar.addEventListener("click", (event) => {
  const button = event.target.closest("[data-label]");
  if (button) createAnnotation(button.dataset.label);
});

document.addEventListener("selectionchange", updateToolbar);

// Keys that move the caret in the text (or, with Shift, extend the selection):
// key -> [direction, how far, how far with Ctrl or Alt].
const MOVES = {
  ArrowLeft: ["backward", "character", "word"],
  ArrowRight: ["forward", "character", "word"],
  ArrowUp: ["backward", "line", "line"],
  ArrowDown: ["forward", "line", "line"],
  Home: ["backward", "lineboundary", "documentboundary"],
  End: ["forward", "lineboundary", "documentboundary"],
};

bodyElement.addEventListener("keydown", (event) => {
  const move = MOVES[event.key];
  if (!move) return;
  const selection = window.getSelection();
  if (!selection.rangeCount || !bodyElement.contains(selection.anchorNode)) {
    selection.collapse(paragraphs[0].element, 0);
  }
  const [direction, near, far] = move;
  selection.modify(event.shiftKey ? "extend" : "move", direction, event.ctrlKey || event.altKey ? far : near);
  event.preventDefault();
});

statusBox.addEventListener("click", (event) => {
  if (event.target.closest("[data-undo]")) undo();
});

// Leaving the page with an editor's changes unsaved asks first.
window.addEventListener("beforeunload", (event) => {
  if (editingId !== null && editorChanged) event.preventDefault();
});

// Where a key types (or picks) something, it is the field's; a switch or a button takes no letters.
const TYPING = "input:not([type=checkbox]):not([type=radio]):not([type=button]), textarea, select, [contenteditable]";

document.addEventListener("keydown", (event) => {
  if (keysDialog.open || event.target.closest(TYPING)) return;
  if (event.key === "Escape") {
    window.getSelection().removeAllRanges();
    toolbar.hidden = true;
    if (editorChanged) {
      showStatus("This span's changes are not saved: Save them, or Cancel to drop them.");
      return;
    }
    closeEditor();
    return;
  }
  if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "z") {
    event.preventDefault();
    undo();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "?") {
    keysDialog.showModal();
    return;
  }
  if (event.key === "n" || event.key === "p") {
    step(event.key === "n" ? 1 : -1);
    return;
  }
  if (suggestions.handleKey(event)) {
    event.preventDefault();
    return;
  }
  const label = LABEL_KEYS[event.key.toLowerCase()];
  if (!label) return;
  // Read the selection now: "selectionchange" may not have fired yet.
  pending = selectedSpan();
  if (pending) {
    event.preventDefault();
    createAnnotation(label);
  }
});

// The script lists every span: the server's page-at-a-time list is replaced, its pager hidden.
const listPages = document.querySelector("[data-list-pages]");
if (listPages) listPages.hidden = true;
suggestions.start({
  data,
  ownSpans: () => annotations.filter((a) => a.reviewer === data.username),
  addSpan,
  speakerIdFor,
  fieldSummary,
  draftEditor,
  closeEditor,
  redraw: renderHighlights,
});
render();
