// Runs first in <body>: the work GOV.UK Frontend's page template does in an inline script,
// which this app's Content-Security-Policy does not allow.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
