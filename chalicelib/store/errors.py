"""What the store raises; its own module so every part of the store can import it."""


class StoreError(Exception):
    pass


class AlreadyExists(StoreError):
    pass


class ConditionFailed(StoreError):
    """A conditional write lost: someone else changed the item first.

    `index` is the failed operation's position within a transaction (0 for a single write);
    `guards` names what that condition protected ("finalised", "etag", ...), when known.
    """

    def __init__(self, index: int = 0, guards: str = "") -> None:
        super().__init__(f"condition failed on operation {index}" + (f" ({guards})" if guards else ""))
        self.index = index
        self.guards = guards


class BadCursor(StoreError):
    pass


class ClaimLost(StoreError):
    """An idempotent request's claim on its key expired while it ran and another request (the
    client's retry) took the key: this request's transaction stored nothing."""


class StoreUnavailable(StoreError):
    """The database did not answer (down, throttled past the retry budget, timed out)."""
