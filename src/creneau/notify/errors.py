"""How a backend says that a delivery failed."""


class DeliveryError(Exception):
    """A failed attempt that may succeed later (network, 4xx SMTP, HTTP 5xx or 429): retried."""

    permanent = False


class PermanentDeliveryError(DeliveryError):
    """A failure that retrying cannot fix (unknown recipient, rejected request): dead at once."""

    permanent = True
