"""Small helpers that read deploy values from the environment and fail loudly."""

import os

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None or value == "":
        raise ImproperlyConfigured(f"The environment variable {name} must be set.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"The environment variable {name} must be true or false, not {raw!r}."
    )


def env_list(name: str, default: str | None = None) -> list[str]:
    raw = os.environ.get(name, default)
    if raw is None:
        raise ImproperlyConfigured(f"The environment variable {name} must be set.")
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_count(name: str, default: int) -> int:
    """A whole number of things (0 or more)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    if not raw.strip().isdigit():
        raise ImproperlyConfigured(
            f"The environment variable {name} must be a whole number (0 or more), not {raw!r}."
        )
    return int(raw)
