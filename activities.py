"""Asking a person, once: the activities the import, the ledger and the sender leave on orders
and payments. Whoever runs next, in whatever language, finds the open one instead of adding a
second; who is asked is the order's salesperson first."""


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


def decision_user(order, responsible=None):
    """Who decides what to do with an order the shop changed after Odoo moved on: the order's
    salesperson, else the account's responsible, else the team leader, else the current user."""
    return order.user_id or responsible or order.team_id.user_id or order.env.user
