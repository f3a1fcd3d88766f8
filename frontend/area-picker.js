// Bundled by esbuild into saferplaces/web/static/saferplaces/build/area-picker.js
// (and its CSS into area-picker.css). Each area box
// (lib/templates/govuk/area_input.html, area_list.html) works without
// JavaScript: a text box whose <datalist> the browser offers. Here it becomes
// GOV.UK's accessible autocomplete, posting what is typed under the box's own
// name, so a name the list lacks still reaches the server, which refuses it
// with the nearest names and keeps the text.
import accessibleAutocomplete from "accessible-autocomplete";
import "accessible-autocomplete/dist/accessible-autocomplete.min.css";

function enhance(box) {
  const list = document.getElementById(box.getAttribute("list"));
  const labels = list ? Array.from(list.options, (option) => option.value) : [];
  const holder = document.createElement("div");
  holder.className = "app-area-picker";
  box.parentNode.insertBefore(holder, box);
  const { id, name, value } = box;
  const refused = box.classList.contains("govuk-input--error");
  const describedBy = box.getAttribute("aria-describedby");
  box.remove();
  accessibleAutocomplete({
    element: holder,
    id,
    name,
    defaultValue: value,
    source: labels,
    // Leaving the box keeps what was typed; only a choice made replaces it.
    confirmOnBlur: false,
    showNoOptionsFound: false,
    inputClasses: refused ? "app-area-picker__input--error" : null,
  });
  if (describedBy) keepDescribed(document.getElementById(id), describedBy);
}

// The autocomplete's box points aria-describedby at its own hint only (and
// at nothing once something is typed): keep the field's hint and error
// message named too, whatever it sets.
function keepDescribed(input, ours) {
  const wanted = ours.split(" ");
  const add = () => {
    const now = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    const missing = wanted.filter((one) => !now.includes(one));
    if (missing.length) input.setAttribute("aria-describedby", [...now, ...missing].join(" "));
  };
  add();
  new MutationObserver(add).observe(input, { attributeFilter: ["aria-describedby"] });
}

document.querySelectorAll('input[data-module="app-area-picker"]').forEach(enhance);
