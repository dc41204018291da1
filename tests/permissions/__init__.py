"""The permission matrix: every route of the API, the pages and the admin, asked by every role.

`matrix.py` holds the expected answers (the data: its terms in `terms.py`, its rows by area in
`rows/`), `routes.py` finds every route the server has, `world.py` builds the editions, tokens
and accounts the requests use, `render.py` writes `docs/permissions.md` from the data, and
`test_matrix.py` holds the three together.
"""
