"""The permission matrix's rows, one module per area; `matrix.py` puts them in order."""
