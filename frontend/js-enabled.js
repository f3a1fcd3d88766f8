// GOV.UK Frontend's "JavaScript is on" marker, kept out of the page so the
// Content-Security-Policy can forbid inline script. Loaded first in <body>.
document.body.className +=
  " js-enabled" +
  ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
