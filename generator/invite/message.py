"""The words of one invitation or reminder: subject, plain text, and HTML with one-click scores.

The HTML is what e-mail programs render: tables and inline styles only (they strip `<style>`
and ignore most CSS; Outlook draws with Word's engine), no script, no image. The survey's
first `rating` or `nps` question becomes a row of buttons, each a link to the survey page
with `#t=<token>&<question id>=<score>`: the page's script (site_templates/survey.js) checks
that score and takes the token, and since a fragment never leaves the browser, a mail
scanner that opens every link records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from generator.model import Client, Question, Settings, Survey
from generator.render.invitations import link_for
from generator.texts import Texts
from generator.texts.surveys import QuestionWords, survey_words

SCALES = {"rating": range(1, 6), "nps": range(11)}
BUTTON = "#1f5f99"  # white text on it: contrast 7:1
FONT = "Arial, Helvetica, sans-serif"


@dataclass(frozen=True)
class Message:
    """One e-mail's contents; `kind` is `invite` or `reminder`."""

    kind: str
    subject: str
    text: str
    html: str
    link: str
    score_links: tuple[tuple[int, str], ...]  # (score, link) of the one-click question, lowest first


def survey_link(base_url: str, survey: Survey, token: str, language: str, site_language: str) -> str:
    """The personal link, as the dashboards make it: the survey page with the token in the fragment (docs/privacy.md)."""
    return link_for(base_url, survey.id, token, language, site_language)[0]


def one_click_question(survey: Survey) -> Question | None:
    """The survey's first rating or NPS question, shown as buttons in the e-mail."""
    return next((question for question in survey.questions if question.type in SCALES), None)


def compose(kind: str, settings: Settings, survey: Survey, client: Client, link: str, texts: Texts) -> Message:
    """The e-mail of `kind` to `client`'s contact, in the language of `texts`."""
    section = "invitation" if kind == "invite" else "reminder"
    business = settings.business
    first_name = (client.contact.name or "").split(" ")[0]
    words = survey_words(survey, texts.language, settings.site.language)
    values = {"name": first_name, "survey": words.title, "survey_lower": words.title.lower(), "business": business.name}
    greeting = texts.plain(f"{section}.greeting" if first_name else f"{section}.greeting_no_name", **values)
    body, closing = texts.plain(f"{section}.body", **values), texts.plain(f"{section}.closing", **values)
    signature = [business.name, *([business.email] if business.email else []), *([business.phone] if business.phone else [])]
    question = one_click_question(survey)
    scores = tuple((score, f"{link}&{question.id}={score}") for score in SCALES[question.type]) if question else ()
    text = "\n".join([greeting, "", body, "", link, "", closing, *signature]) + "\n"
    parts = [_paragraph(greeting), _paragraph(body)]
    if question is not None:
        parts.append(_scale(words.questions[question.id], question.type, scores, texts,
                            texts.plain(f"{section}.one_click", **values)))
    parts.append(_paragraph(Markup('<a href="{}" style="color:{};font-weight:bold;">{}</a>').format(
        link, BUTTON, texts.plain(f"{section}.open", **values))))
    parts.append(_paragraph(Markup("<br>").join([closing, *signature])))
    # one line: a title written over several YAML lines must not break the header (or start a new one)
    subject = " ".join(texts.plain(f"{section}.subject", **values).split())
    return Message(kind, subject, text, _document(subject, texts.language, Markup("\n").join(parts)), link, scores)


def _paragraph(content: str) -> Markup:
    return Markup('<p style="margin:0 0 16px 0;">{}</p>').format(content)


def _scale(question: QuestionWords, kind: str, scores: tuple[tuple[int, str], ...], texts: Texts, hint: str) -> Markup:
    """The question, its scores as a row of linked buttons, and the meaning of both ends."""
    low = question.low_label or texts.plain(f"survey.{kind}_low")
    high = question.high_label or texts.plain(f"survey.{kind}_high")
    # eleven NPS buttons must fit a phone's width (about 320 px): narrower than five rating buttons
    padding = "10px 5px" if len(scores) > 5 else "10px 12px"
    cells = Markup("").join(
        Markup('<td align="center" bgcolor="{color}" style="background-color:{color};border-radius:4px;">'
               '<a href="{href}" title="{score}" style="display:inline-block;min-width:18px;padding:{padding};'
               'font-family:{font};font-size:16px;font-weight:bold;line-height:20px;color:#ffffff;'
               'text-decoration:none;">{score}</a></td>').format(color=BUTTON, href=href, score=score, font=FONT, padding=padding)
        for score, href in scores)
    first, last = scores[0][0], scores[-1][0]
    return Markup(
        '<p style="margin:0 0 8px 0;font-weight:bold;">{label}</p>\n'
        '<table role="presentation" cellpadding="0" cellspacing="4" border="0" style="border-collapse:separate;">'
        '<tr>{cells}</tr></table>\n'
        '<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 8px 0;"><tr>'
        '<td style="font-family:{font};font-size:13px;color:#444444;padding:0 4px;">{first} = {low}</td>'
        '<td style="font-family:{font};font-size:13px;color:#444444;padding:0 4px;">·</td>'
        '<td style="font-family:{font};font-size:13px;color:#444444;padding:0 4px;">{last} = {high}</td></tr></table>\n'
        '<p style="margin:0 0 16px 0;font-size:13px;color:#444444;">{hint}</p>'
    ).format(label=question.label, cells=cells, font=FONT, first=first, low=low, last=last, high=high, hint=hint)


def _document(subject: str, language: str, content: Markup) -> str:
    return str(Markup(
        '<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{subject}</title>\n</head>\n'
        '<body style="margin:0;padding:0;background-color:#ffffff;">\n'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr>'
        '<td style="padding:16px;font-family:{font};font-size:15px;line-height:1.5;color:#1a1a1a;">\n'
        '{content}\n</td></tr></table>\n</body>\n</html>\n'
    ).format(lang=language, subject=subject, font=FONT, content=content))

