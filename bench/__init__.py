"""Load and reliability runs over the local stack (see docs/reliability.md)."""
