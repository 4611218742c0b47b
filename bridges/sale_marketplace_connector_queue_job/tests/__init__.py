from . import test_queue_job_enqueue, test_queue_job_registration, test_queue_job_run
