"""Writes of leads: capture and update (`capture`), a visitor's withdrawal and erasure
(`consent`), and the exhibitors' lead devices (`devices`)."""
