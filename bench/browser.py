"""What a reviewer feels in Chromium: opening a long annotated article, then labelling.

Times are taken inside the page (performance.now()): from navigation start
until the script has drawn every highlight and list item, and from a key
press until the new span is drawn (its API write included) and painted.
"""

import statistics

CHROMIUM = "/usr/bin/chromium"

ITEMS = "document.querySelectorAll('[data-annotation-list] [data-annotation-id]').length"

LABEL_ONE = """async ([nth, key]) => {
  const body = document.querySelector('[data-article-body]');
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  const long = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.textContent.length > 40 && node.textContent.indexOf(' ') >= 0) long.push(node);
  }
  const node = long[(nth * 7) % long.length];
  const text = node.textContent;
  const from = text.indexOf(' ') + 1;
  const to = text.indexOf(' ', text.indexOf(' ', from) + 1);
  const count = () => ITEMS;
  const before = count();
  const toolbar = document.querySelector('[data-toolbar]');
  const changed = (target, options, done) => new Promise((resolve) => {
    if (done()) return resolve();
    const observer = new MutationObserver(() => {
      if (done()) { observer.disconnect(); resolve(); }
    });
    observer.observe(target, options);
  });
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const selection = window.getSelection();
  selection.removeAllRanges();
  toolbar.hidden = true;
  const range = document.createRange();
  range.setStart(node, from);
  range.setEnd(node, to > from ? to : text.length);
  const selected = performance.now();
  selection.addRange(range);
  await changed(toolbar, { attributes: true }, () => !toolbar.hidden);
  await frame();
  const toolbarShown = performance.now() - selected;
  const pressed = performance.now();
  document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
  const list = document.querySelector('[data-annotation-list]');
  await changed(list, { childList: true }, () => count() > before);
  await frame();
  return { toolbar: toolbarShown, label: performance.now() - pressed };
}""".replace("ITEMS", ITEMS)


def measure(base_url, username, password, article_id, opens=5, labels=20):
    """Median time to open and become interactive; p50/p95 of toolbar and labelling."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base_url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base_url}/articles/")
        url = f"{base_url}/articles/{article_id}/"
        spans = None
        opened, loaded = [], []
        for _ in range(opens):
            page.goto(url, wait_until="commit")
            page.wait_for_function(f"{ITEMS} >= 500", polling="raf")
            opened.append(page.evaluate("performance.now()"))
            loaded.append(
                page.evaluate(
                    "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
                )
            )
            spans = page.evaluate(ITEMS)
        toolbar, labelling = [], []
        for nth in range(labels):
            result = page.evaluate(LABEL_ONE, [nth, "coa"[nth % 3]])
            toolbar.append(result["toolbar"])
            labelling.append(result["label"])
        browser.close()
    if errors:
        raise RuntimeError(f"JavaScript errors: {errors}")
    toolbar.sort()
    labelling.sort()
    return {
        "spans": spans,
        "open_ms": statistics.median(opened),
        "dom_ready_ms": statistics.median(loaded),
        "toolbar_p50_ms": statistics.median(toolbar),
        "label_p50_ms": statistics.median(labelling),
        "label_p95_ms": labelling[int(0.95 * len(labelling))],
    }
