"""Names of the fields every survey form posts, whatever the backend.

A form posts `survey` (the survey id), `token` (the client's link token, empty on the
anonymous form), `shown_at` (milliseconds since the epoch when the page was shown, filled
by JavaScript; empty without it), the honeypot (must stay empty), and one field per
question named by the question id; a `multi` question repeats its field once per option
ticked. A page in another language than the site's posts to the collector with `?lang=<language>`
in its address, so that the thanks and refusal pages answer in that language.
"""

SURVEY_FIELD = "survey"
TOKEN_FIELD = "token"
SHOWN_AT_FIELD = "shown_at"
HONEYPOT_FIELD = "website"
FORMSPREE_HONEYPOT_FIELD = "_gotcha"
FORMSPREE_NEXT_FIELD = "_next"
LANGUAGE_PARAMETER = "lang"

FORM_FIELDS = (SURVEY_FIELD, TOKEN_FIELD, SHOWN_AT_FIELD, HONEYPOT_FIELD, FORMSPREE_HONEYPOT_FIELD, FORMSPREE_NEXT_FIELD)
