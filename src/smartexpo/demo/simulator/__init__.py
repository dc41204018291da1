"""The digital twin of an expo (`smartexpo simulate`).

`model` holds the parameters and the queueing arithmetic, `itinerary` the walk through halls and
booths, `day` one simulated day as arrays; `venue`, `tickets` and `devices` read and prepare what
the edition has, `showup` draws who of the registered comes (`simulate --show-up`); `stream`
turns the arrays into the event stream (polars, the Parquet contract) and `live` plays it into
the check-in and ingest services on an accelerated clock.
"""
