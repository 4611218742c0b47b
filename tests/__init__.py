from . import (
    test_account,
    test_client_mapping,
    test_import_faults,
    test_import_otto,
    test_import_run,
    test_security_rpc,
)
