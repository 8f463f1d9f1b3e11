"""One module per measured figure of the benchmark; each returns the JSON of its section."""
