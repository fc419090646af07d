"""What the store raises; its own module so every part of the store can import it."""


class StoreError(Exception):
    pass


class AlreadyExists(StoreError):
    pass


class ConditionFailed(StoreError):
    """A conditional write lost: someone else changed the item first."""


class BadCursor(StoreError):
    pass
