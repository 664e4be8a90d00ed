// Progressive enhancement only: every page works without JavaScript.
import { initAll } from "./nhsuk-frontend.min.js";

initAll();

// nhsuk-frontend marks a radio that reveals content with aria-expanded, which ARIA does not
// allow on a radio (axe: aria-allowed-attr), and GOV.UK Frontend dropped it for that reason.
// The revealed questions follow the radio in reading order, so nothing is lost without it.
const isRevealingRadio = (node) =>
  node instanceof HTMLInputElement && node.type === "radio" && node.hasAttribute("aria-controls");
const dropExpanded = (node) => {
  if (isRevealingRadio(node)) node.removeAttribute("aria-expanded");
};
document.querySelectorAll("input[type=radio][aria-controls]").forEach(dropExpanded);
new MutationObserver((changes) => changes.forEach((change) => dropExpanded(change.target))).observe(
  document.body,
  { subtree: true, attributeFilter: ["aria-expanded"] },
);
