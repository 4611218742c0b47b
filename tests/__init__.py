from . import test_account, test_security_rpc
