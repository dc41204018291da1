"""What ticketing tells the apps above it, which it may not import.

`registration_cancelled` is sent inside the transaction that cancels an active registration
and revokes its tickets (`sender` the Registration class, `registration` the registration), so
that what a receiver frees (the programme gives its seats to the waiting lists) commits or
rolls back with the cancellation. An erasure cancels first, so it is sent then too.
"""

from django.dispatch import Signal

registration_cancelled = Signal()
