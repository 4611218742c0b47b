from . import marketplace_fetch_wizard
