"""The registration portal behind a participant's personal link (no user account)."""
