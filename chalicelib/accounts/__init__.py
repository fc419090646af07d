"""People: accounts, passwords, sessions and second factors (TOTP, passkeys)."""
