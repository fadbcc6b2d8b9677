"""Side-by-side benchmarks: bare SpiffWorkflow, a naive save/load, the engine on SQLite and
PostgreSQL, the HTTP API, reports and the tick at scale, scale-out and memory.

``python -m benchmarks [--quick]`` runs them all (``make bench``); the last line it prints is one
JSON object with every ratio and the raw medians.  Times are never asserted anywhere: the
machine is shared and noisy, so every figure is a median over repeated runs after a warm-up.
"""
