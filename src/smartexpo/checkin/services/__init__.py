"""Check-in's writes, by topic: an online scan (`scanning`), a synced batch of offline scans
(`sync`), a venue's stream of scans imported at once (`bulk_sync`)."""
