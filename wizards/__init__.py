from . import marketplace_fetch_wizard, sale_order_cancel
