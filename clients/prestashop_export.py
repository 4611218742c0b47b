"""PrestaShop write-back, mixed into ``PrestaShopClient``: tracking numbers on the order carrier,
order states, and private messages in the order's customer thread. Plain Python.

Every write is XML (``_write``). A PUT replaces the whole record (a field left out is emptied),
so a record is read with ``display=full`` and put back whole with the change. Required fields
(tests/vendor/prestashop/CLASS_DEFINITIONS_AND_WEBSERVICE_SOURCE.md): order_carriers id_order,
id_carrier; order_histories id_order, id_order_state; customer_threads id_lang, id_contact,
token (12 characters at most); customer_messages message (and id_customer_thread to attach it).
"""

from .errors import BadPayloadError
from .parsing import text

# The fields of an order_carrier, in the order of its blank schema.
ORDER_CARRIER_FIELDS = (
    "id",
    "id_order",
    "id_carrier",
    "id_order_invoice",
    "weight",
    "shipping_cost_tax_excl",
    "shipping_cost_tax_incl",
    "tracking_number",
    "date_add",
)
TRACKING_NUMBER_SIZE = 64  # OrderCarrier::$definition['tracking_number']['size']
TOKEN_SIZE = 12  # CustomerThread::$definition['token']['size']


def _email_param(send_email):
    return {"sendemail": "1"} if send_email else {}


class PrestaShopExportMixin:
    """What the connector sends to a PrestaShop shop after the import."""

    def order_carriers(self, order_id):
        """The order's carrier records (with their tracking numbers), oldest first."""
        records = self._list(
            "order_carriers",
            "order_carriers",
            display="full",
            **{"filter[id_order]": f"[{int(order_id)}]"},
        )
        return sorted(records, key=lambda record: int(text(record.get("id")) or 0))

    def put_order_carrier(self, record, tracking_number, send_email=False):
        """Put the order carrier back whole, with ``tracking_number``; ``send_email``: the shop
        e-mails the buyer the tracking link ("in transit") on every PUT that says so, so such a
        PUT is not repeated blind (read the order carrier before sending it again)."""
        fields = {name: text(record.get(name)) for name in ORDER_CARRIER_FIELDS}
        fields["tracking_number"] = tracking_number
        return self._write(
            "PUT",
            f"/order_carriers/{int(fields['id'])}",
            "order_carrier",
            fields,
            idempotent=not send_email,
            **_email_param(send_email),
        )

    def add_order_history(self, order_id, state_id, send_email=False):
        """Move the order to ``state_id`` (a POST: not idempotent; look the state up with
        ``order_fields`` before sending again)."""
        answer = self._write(
            "POST",
            "/order_histories",
            "order_history",
            {"id_order": int(order_id), "id_order_state": int(state_id)},
            **_email_param(send_email),
        )
        return text(((answer or {}).get("order_history") or {}).get("id"))

    def order_fields(self, order_id, names):
        """A few fields of one order, e.g. ('current_state',), read through the list (``display``
        is a list parameter)."""
        orders = self._list(
            "orders",
            "orders",
            display="[" + ",".join(["id", *names]) + "]",
            **{"filter[id]": f"[{int(order_id)}]"},
        )
        if not orders:
            raise BadPayloadError(f"GET /api/orders: order {order_id} is not on the shop")
        return {name: text(orders[0].get(name)) for name in names}

    def find_customer_thread(self, order_id):
        """The id of the order's customer thread (the first one), or ''."""
        threads = self._list(
            "customer_threads",
            "customer_threads",
            display="[id,id_order]",
            **{"filter[id_order]": f"[{int(order_id)}]"},
        )
        ids = sorted(int(text(thread.get("id")) or 0) for thread in threads)
        return str(ids[0]) if ids else ""

    def create_customer_thread(self, fields):
        answer = self._write("POST", "/customer_threads", "customer_thread", fields)
        thread_id = text(((answer or {}).get("customer_thread") or {}).get("id"))
        if not thread_id:
            raise BadPayloadError("POST /api/customer_threads: the answer has no id")
        return thread_id

    def thread_messages(self, thread_id):
        """The messages of a customer thread: [{"id", "message", "private", ...}]."""
        return self._list(
            "customer_messages",
            "customer_messages",
            display="full",
            **{"filter[id_customer_thread]": f"[{int(thread_id)}]"},
        )

    def add_message(self, thread_id, message, private=True):
        """A message in the order's thread, private (the buyer does not see it) by default;
        ``private=False``: the buyer reads it on the order's page in the shop
        (``CustomerMessage::getMessagesByOrderId($id, false)``), without an e-mail. A POST: look
        it up with ``thread_messages`` before sending it again."""
        answer = self._write(
            "POST",
            "/customer_messages",
            "customer_message",
            {
                "id_employee": 0,
                "id_customer_thread": int(thread_id),
                "message": message,
                "private": 1 if private else 0,
            },
        )
        return text(((answer or {}).get("customer_message") or {}).get("id"))
