"""Activities the import asks people with, once: whoever runs the next import, in whatever
language, finds the open one instead of adding a second."""


def in_every_language(record, summary):
    """``summary(env)`` (a translated text) in every installed language."""
    codes = [code for code, __ in record.env["res.lang"].get_installed()]
    return {summary(record.with_context(lang=code).env) for code in codes}


def has_open_activity(record, summary, note_part=None):
    """Whether ``record`` has an open activity with ``summary`` (in any installed language),
    and, with ``note_part``, whose note mentions it."""
    summaries = in_every_language(record, summary)
    return any(
        activity.summary in summaries and (note_part is None or note_part in (activity.note or ""))
        for activity in record.activity_ids
    )
