"""Survey forms: the field names every backend shares, and one module per backend."""
