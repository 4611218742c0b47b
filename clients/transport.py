"""The HTTP side of a client, safe to use from several threads at once.

A ``requests.Session`` is not safe to share between threads: each thread gets a session of its
own (unless the caller hands one in, which every thread then uses). The request counter and the
shop's clock (its last ``Date`` header) are kept under a lock, so that they count every request
of every thread exactly. A shop that answers 429 with a Retry-After asks the client, not one
thread, to wait: ``hold`` closes one gate that every thread of the client waits at before its
next request. ``limit`` bounds the requests in flight at once, whichever threads send them.
"""

import threading
import time

import requests


class Transport:
    def __init__(self, session=None, sleep=time.sleep, limit=1):
        self.shared_session = session  # one session for every thread (a caller's, a test's)
        self._slots = threading.BoundedSemaphore(max(int(limit or 1), 1))
        self._local = threading.local()
        self._lock = threading.Lock()
        self._sleep = sleep
        self._request_count = 0
        self._last_response_date = None
        self._not_before = 0.0  # the Retry-After gate, a time.monotonic() moment

    @property
    def session(self):
        """This thread's session."""
        if self.shared_session is not None:
            return self.shared_session
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def send(self, method, url, **kwargs):
        """Send one request (after the gate opens), counted; ``requests``' errors go through."""
        wait = self.gate()
        if wait > 0:
            self._sleep(wait)
        with self._slots:
            with self._lock:
                self._request_count += 1
            return self.session.request(method, url, **kwargs)

    # --- the Retry-After gate, one for every thread ----------------------------------------------
    def hold(self, seconds):
        """No request of any thread before ``seconds`` from now."""
        with self._lock:
            self._not_before = max(self._not_before, time.monotonic() + seconds)

    def gate(self):
        """Seconds until the gate opens (0: open)."""
        with self._lock:
            return max(self._not_before - time.monotonic(), 0.0)

    # --- counters --------------------------------------------------------------------------------
    @property
    def request_count(self):
        with self._lock:
            return self._request_count

    @request_count.setter
    def request_count(self, value):
        with self._lock:
            self._request_count = value

    @property
    def last_response_date(self):
        with self._lock:
            return self._last_response_date

    @last_response_date.setter
    def last_response_date(self, value):
        with self._lock:
            self._last_response_date = value
