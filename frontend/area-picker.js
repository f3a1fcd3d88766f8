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
}

document.querySelectorAll('input[data-module="app-area-picker"]').forEach(enhance);
