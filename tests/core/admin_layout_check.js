// The layout check of the admin (tests/core/test_admin_layout_browser.py): run in the page, returns the defects found.
//
//   page-scroll   the whole page scrolls sideways
//   broken-word   a word wraps inside itself (a line break between two of its letters)
//   overlap       the title's text under a button or link; a label over its value (dt/dd, a form row's label and
//                 field); two controls (links, buttons, fields) over each other
//   off-screen    a control or a column heading beyond the viewport's right edge, or hidden behind a box that
//                 scrolls sideways (a changelist's column behind a horizontal scroll)
//
// Only what is rendered counts: display:none, visibility:hidden and clipped (visually hidden) text is skipped.
() => {
  const viewportWidth = document.documentElement.clientWidth;
  const problems = [];
  const seen = new Set();
  const SLACK = 1; // px: sub-pixel rounding

  const describe = (element) => {
    let name = element.tagName.toLowerCase();
    if (element.id) name += `#${element.id}`;
    const classes = [...element.classList].slice(0, 2);
    if (classes.length) name += `.${classes.join(".")}`;
    const text = (element.innerText || element.value || "").trim().replace(/\s+/g, " ").slice(0, 40);
    return text ? `${name} "${text}"` : name;
  };
  const report = (kind, detail) => {
    const key = `${kind}: ${detail}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(key);
    }
  };

  const hiddenCache = new Map();
  // An element not rendered to the eye: not displayed, invisible, or inside a clipped (visually hidden) box.
  const isHidden = (element) => {
    if (!element || element === document.documentElement) return false;
    if (hiddenCache.has(element)) return hiddenCache.get(element);
    const style = getComputedStyle(element);
    let hidden =
      style.display === "none" ||
      style.visibility === "hidden" ||
      style.visibility === "collapse" ||
      (style.clip !== "auto" && style.position === "absolute") ||
      style.clipPath !== "none";
    // The content of a closed <details> (not its summary) is not rendered.
    const details = element.parentElement && element.parentElement.closest("details:not([open])");
    if (!hidden && details && !element.closest("summary")) hidden = true;
    if (!hidden) hidden = isHidden(element.parentElement);
    hiddenCache.set(element, hidden);
    return hidden;
  };
  const boxes = (element) => [...element.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
  const intersects = (a, b, margin = SLACK) =>
    a.left + margin < b.right && b.left + margin < a.right && a.top + margin < b.bottom && b.top + margin < a.bottom;
  const textBoxes = (element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
  };
  const SKIPPED = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "OPTION", "OPTGROUP", "TEXTAREA", "SELECT", "TEMPLATE"]);

  // --- the page scrolls sideways ------------------------------------------------------------------------------
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth > viewportWidth + SLACK) {
    report("page-scroll", `the page is ${scrollWidth} px wide in a ${viewportWidth} px viewport`);
  }

  // --- words broken inside ------------------------------------------------------------------------------------
  // A word here is a run between the places a line may break without breaking a word (spaces, hyphens, slashes,
  // dashes). Its range gives one box per line it is laid out on: two lines apart means it breaks inside.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || SKIPPED.has(parent.tagName) || !node.data.trim() || isHidden(parent)) continue;
    for (const match of node.data.matchAll(/[^\s\-\/\u2010-\u2014\u00ad\u200b]{2,}/g)) {
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
      if (rects.length < 2) continue;
      const first = rects[0];
      if (rects.some((r) => Math.abs(r.top - first.top) > first.height / 2)) {
        report("broken-word", `"${match[0]}" in ${describe(parent)} breaks over ${rects.length} lines`);
      }
    }
  }

  const clippers = new Map();
  // The nearest ancestor that cuts off what overflows it on that axis ("x" or "y"): a scroll box or overflow: hidden.
  const clipperOf = (element, axis) => {
    const key = element;
    if (!clippers.has(key)) clippers.set(key, {});
    const cached = clippers.get(key);
    if (axis in cached) return cached[axis];
    let found = null;
    for (let ancestor = element.parentElement; ancestor && ancestor !== document.body; ancestor = ancestor.parentElement) {
      const style = getComputedStyle(ancestor);
      if ((axis === "x" ? style.overflowX : style.overflowY) !== "visible") {
        found = ancestor;
        break;
      }
    }
    cached[axis] = found;
    return found;
  };
  // What the element's clipping ancestor shows (its padding box, without scrollbars).
  const visibleBoxOf = (clipper) => {
    const box = clipper.getBoundingClientRect();
    const left = box.left + clipper.clientLeft;
    const top = box.top + clipper.clientTop;
    return { left, top, right: left + clipper.clientWidth, bottom: top + clipper.clientHeight };
  };
  // Not scrolled out of sight inside a box that scrolls (either way).
  const shownInItsBox = (element) => {
    const rect = element.getBoundingClientRect();
    for (const axis of ["x", "y"]) {
      const clipper = clipperOf(element, axis);
      if (!clipper) continue;
      const shown = visibleBoxOf(clipper);
      const inside =
        axis === "x"
          ? rect.left < shown.right - SLACK && rect.right > shown.left + SLACK
          : rect.top < shown.bottom - SLACK && rect.bottom > shown.top + SLACK;
      if (!inside) return false;
    }
    return true;
  };

  // --- overlaps -----------------------------------------------------------------------------------------------
  const controls = [...document.querySelectorAll("#container a[href], #container button, #container input, #container select, #container textarea")].filter(
    (element) => element.type !== "hidden" && !isHidden(element) && boxes(element).length
  );
  // The title's text (not its block box, which spans the whole width) under a control.
  for (const title of document.querySelectorAll("#content > h1, #content > h2, #content-main > h1")) {
    if (isHidden(title)) continue;
    for (const titleBox of textBoxes(title)) {
      for (const control of controls) {
        if (title.contains(control) || !shownInItsBox(control)) continue;
        if (boxes(control).some((box) => intersects(titleBox, box))) {
          report("overlap", `${describe(control)} covers the title ${describe(title)}`);
        }
      }
    }
  }
  // A label over its value: each term's text against every description's text in the same list; a form row's label
  // against its fields.
  for (const list of document.querySelectorAll("#container dl")) {
    if (isHidden(list)) continue;
    const terms = [...list.querySelectorAll(":scope > dt, :scope > div > dt")];
    const values = [...list.querySelectorAll(":scope > dd, :scope > div > dd")];
    for (const term of terms) {
      for (const value of values) {
        if (textBoxes(term).some((a) => textBoxes(value).some((b) => intersects(a, b)))) {
          report("overlap", `the label ${describe(term)} overlaps the value ${describe(value)}`);
        }
      }
    }
    // A label beside its value starts on the value's line.
    for (const term of terms) {
      let value = term.nextElementSibling;
      while (value && value.tagName === "DT") value = value.nextElementSibling;
      if (!value || value.tagName !== "DD") continue;
      const [t] = textBoxes(term);
      const [v] = textBoxes(value);
      // Beside it, the label's first line and the value's must share most of their height.
      const shared = t && v ? Math.min(t.bottom, v.bottom) - Math.max(t.top, v.top) : 0;
      if (t && v && v.left >= t.right - SLACK && shared < 0.6 * Math.min(t.height, v.height)) {
        report("overlap", `the label ${describe(term)} drifts ${Math.round(v.top - t.top)} px from its value ${describe(value)}`);
      }
    }
  }
  for (const row of document.querySelectorAll("#container .form-row")) {
    if (isHidden(row)) continue;
    for (const label of row.querySelectorAll("label")) {
      if (isHidden(label)) continue;
      for (const field of row.querySelectorAll("input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea")) {
        if (isHidden(field) || label.contains(field)) continue;
        if (textBoxes(label).some((a) => boxes(field).some((b) => intersects(a, b)))) {
          report("overlap", `the label ${describe(label)} overlaps the field ${describe(field)}`);
        }
      }
    }
  }
  // Two controls over each other (not one inside the other; one hidden behind a sideways scroll is reported below).
  const controlBoxes = controls.filter(shownInItsBox).map((element) => ({ element, rects: boxes(element) }));
  controlBoxes.sort((a, b) => a.rects[0].top - b.rects[0].top);
  for (let i = 0; i < controlBoxes.length; i++) {
    const a = controlBoxes[i];
    const bottom = Math.max(...a.rects.map((r) => r.bottom));
    for (let j = i + 1; j < controlBoxes.length; j++) {
      const b = controlBoxes[j];
      if (b.rects[0].top > bottom) break;
      if (a.element.contains(b.element) || b.element.contains(a.element)) continue;
      if (a.rects.some((r) => b.rects.some((s) => intersects(r, s, 2)))) {
        report("overlap", `${describe(a.element)} and ${describe(b.element)} are over each other`);
      }
    }
  }

  // --- key columns and actions off-screen ---------------------------------------------------------------------
  const keyElements = [
    ...controls,
    ...[...document.querySelectorAll("#container th, #container .object-tools li, #container .submit-row")].filter(
      (element) => !isHidden(element) && boxes(element).length
    ),
  ];
  for (const element of keyElements) {
    if (element.closest("#nav-sidebar")) continue;
    const rect = element.getBoundingClientRect();
    if (rect.right > viewportWidth + SLACK) {
      report("off-screen", `${describe(element)} ends at ${Math.round(rect.right)} px, beyond the ${viewportWidth} px viewport`);
      continue;
    }
    const clipper = clipperOf(element, "x");
    if (clipper) {
      const visibleRight = visibleBoxOf(clipper).right;
      if (rect.left >= visibleRight - SLACK || rect.right > visibleRight + 2) {
        report("off-screen", `${describe(element)} is hidden behind the sideways scroll of ${describe(clipper).split(" ")[0]}`);
      }
    }
  }
  return problems;
}
