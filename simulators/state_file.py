"""The simulators' saved state as JSON: data, never code (a pickle would run whatever a state
file says when it is loaded).

JSON has no dates, decimals, tuples, sets, non-text dictionary keys or random generators, and
the shops' data uses them all; each such value is written as a one-key object naming its type
(``{"$datetime": "2026-11-20T12:00:00+00:00"}``), and read back as that type. Nothing else is
ever built from a file: an unknown type name is refused."""

import json
import random
from datetime import datetime, timedelta
from decimal import Decimal

FORMAT = 1


def _encode(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$timedelta": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, tuple):
        return {"$tuple": [_encode(item) for item in value]}
    if isinstance(value, (set, frozenset)):
        return {"$set": [_encode(item) for item in sorted(value, key=repr)]}
    if isinstance(value, dict):
        if all(isinstance(key, str) and not key.startswith("$") for key in value):
            return {key: _encode(item) for key, item in value.items()}
        return {"$items": [[_encode(key), _encode(item)] for key, item in value.items()]}
    if isinstance(value, random.Random):
        version, internal, gauss = value.getstate()
        return {"$random": [version, list(internal), gauss]}
    raise TypeError(f"a simulator state cannot hold a {type(value).__name__}")


def _random(state):
    generator = random.Random()
    version, internal, gauss = state
    generator.setstate((version, tuple(internal), gauss))
    return generator


def _timedelta(parts):
    days, seconds, microseconds = parts
    return timedelta(days=days, seconds=seconds, microseconds=microseconds)


_DECODERS = {
    "$datetime": datetime.fromisoformat,
    "$timedelta": _timedelta,
    "$decimal": Decimal,
    "$tuple": lambda items: tuple(_decode(item) for item in items),
    "$set": lambda items: {_decode(item) for item in items},
    "$items": lambda pairs: {_decode(key): _decode(item) for key, item in pairs},
    "$random": _random,
}


def _decode(value):
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    tags = [key for key in value if key.startswith("$")]
    if not tags:
        return {key: _decode(item) for key, item in value.items()}
    if len(value) != 1 or tags[0] not in _DECODERS:
        raise ValueError(f"not a simulator state: unknown value {sorted(value)!r}")
    return _DECODERS[tags[0]](value[tags[0]])


def dumps(backend, state):
    return json.dumps({"format": FORMAT, "backend": backend, "state": _encode(state)})


def loads(text):
    """``(backend, state)`` of a file ``dumps`` wrote."""
    saved = json.loads(text)
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        raise ValueError("not a simulator state file (or one of another version)")
    return saved.get("backend"), _decode(saved["state"])
