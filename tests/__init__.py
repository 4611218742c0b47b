from . import test_account, test_security_rpc
from . import test_client_mapping
