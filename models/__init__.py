from . import (
    marketplace_account,
    marketplace_account_import,
    marketplace_retry,
    marketplace_run,
    marketplace_run_line,
    marketplace_status_mapping,
    product_pricelist,
    res_partner,
    sale_order,
    sale_order_line,
)
