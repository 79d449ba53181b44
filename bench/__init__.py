"""Benchmarks: scripts that print figures (see BENCHMARKS.md)."""

# For a `tracuu serve` that benchmark clients load: they are anonymous and all
# from 127.0.0.1, so the generated archive is public (by default documents are
# internal, hidden from them) and no per-client search limit answers 429.
PUBLIC_SERVER_ENV = {"TRACUU_DEFAULT_ACCESS": "public", "TRACUU_SEARCH_RATE_LIMIT": "1000000000/1"}
