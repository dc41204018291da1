"""Ticketing's writes, one module per topic: ticket types, registration (one at a time and in
bulk, from a CSV file), the access rules of restricted types and their organisers' side,
cancellation, the waiting list, erasure, signing keys, confirmations, the find-my-ticket emails
(ticket links) and idempotent requests.

Reads are `tickets.selectors`'; SQL statements are `tickets.queries`'.
"""
