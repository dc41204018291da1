"""The deals ledger: projects signed at and around an edition, their follow-up, and a public
tally whose every change is chained in an append-only log and whose totals are signed."""
